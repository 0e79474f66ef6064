"""Portal pages of the complaints app."""
