"""Factories for the mediation app."""

import datetime as dt

import factory
from django.utils import timezone

from communities.tests.factories import CompoundFactory
from mediation.models import ActionItem, DisputeCase, DisputeParty, LegalLiaison, Meeting, Topic, Venue


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    kind = Venue.Kind.PAVILION
    name = factory.Sequence(lambda n: f"议事亭{n}")
    compound = factory.SubFactory(CompoundFactory)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    kind = Meeting.Kind.DELIBERATION_DAY
    compound = factory.SubFactory(CompoundFactory)
    title = factory.Sequence(lambda n: f"议事日{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    status = Meeting.Status.UPCOMING


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    compound = factory.SelfAttribute("meeting.compound")
    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"议题{n}")
    status = Topic.Status.PROPOSED


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"事项{n}")
    owner_name = "物业 陈欢"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))


class DisputeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisputeCase
        skip_postgeneration_save = True

    compound = factory.SubFactory(CompoundFactory)
    type = DisputeCase.Type.NEIGHBOUR
    source = DisputeCase.Source.WALK_IN
    summary = factory.Sequence(lambda n: f"纠纷{n}")
    registered_on = factory.LazyFunction(timezone.localdate)
    party = factory.RelatedFactory("mediation.tests.factories.PartyFactory", factory_related_name="case")


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisputeParty

    case = factory.SubFactory(DisputeFactory, party=None)
    name = factory.Sequence(lambda n: f"当事人{n}")


class LiaisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalLiaison
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"律师{n}")
    kind = LegalLiaison.Kind.LEGAL_WORKER

    @factory.post_generation
    def compounds(self, create, extracted, **kwargs):
        if create and extracted:
            self.compounds.set(extracted)
