"""12345 hotline import: the platform's export file becomes complaints, one report row a ticket.

`service` parses, matches and imports (services and the selector), `tasks` runs large files in Celery,
`views`/`urls` are the portal pages, `api` is `/api/v1/hotline-imports/`.
"""
