"""The cases API. Each write parses its payload and calls the same service as the page: the service decides who
may (403) and what is acceptable (400 with its messages), so the API and the page answer alike."""

from functools import cached_property, partial

from django.core.paginator import Paginator
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.api import ScopedViewSetMixin, validated
from core.errors import DomainError
from core.permissions import IsVendorStaff

from . import escalations, queue, services, tally
from .models import OPEN_STATUSES, Case, CaseStatus, Channel, Escalation
from .serializers import (
    AnsweredSerializer,
    CaseEntrySerializer,
    CaseOpenSerializer,
    CaseSerializer,
    ContactLogInputSerializer,
    ContactLogSerializer,
    EscalateSerializer,
    EscalationSerializer,
    MilestoneSerializer,
    ReplySerializer,
    StatusSerializer,
    TextSerializer,
    case_list_rows,
)


class _QueuePaginator(Paginator):
    """Reads the first page first: each of its rows carries the list's count (``total``), so one query answers
    both. An empty list, and any other page (checked against the count before its offset is used), ask
    ``count_cases`` alone."""

    def __init__(self, rows, per_page, *, count_cases, **kwargs):
        super().__init__(rows, per_page, **kwargs)
        self.count_cases = count_cases

    @cached_property
    def count(self) -> int:
        return self.count_cases()

    def page(self, number):
        if str(number) != "1":  # another page: checked against the count before it is read, as usual
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if rows:
            self.__dict__["count"] = rows[0]["total"]
        return self._get_page(rows, self.validate_number(number), self)


class QueuePagination(PageNumberPagination):
    """A page of the queue read in one statement with its count, in queue order (an index scan in order:
    cases/urgency.py), as the payload itself (``case_list_rows``): no model instance is built for a list
    (cases/queue.py). The view says how many cases there are (``CaseViewSet.cases_total``)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.django_paginator_class = partial(_QueuePaginator, count_cases=view.count_cases)
        rows = queue.QueueRows(queryset, customer_view=not view.staff, total=view.cases_total())
        page = super().paginate_queryset(rows, request, view)
        return None if page is None else case_list_rows(page)


class CaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Support cases. Customers see and open their own account's; staff work every case. Internal notes are
    never in a customer's timeline."""

    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    pagination_class = QueuePagination

    def list(self, request, *args, **kwargs):
        """The page's rows come already written (``QueuePagination``), the same as ``CaseSerializer`` writes them."""
        return self.get_paginated_response(self.paginate_queryset(self.filter_queryset(self.get_queryset())))

    def scope_queryset(self, queryset):
        self.staff = self.request.user.is_vendor_staff  # staff list every case; a customer their account's
        params = self.request.query_params
        self.statuses = set(CaseStatus.values)  # the list's cases are those of these statuses
        if status_filter := params.get("status"):
            queryset = queryset.filter(status=status_filter)
            self.statuses &= {status_filter}
        if params.get("open", "").lower() in ("1", "true", "yes"):
            queryset = queryset.open()
            self.statuses &= set(OPEN_STATUSES)
        self.cases = queryset  # what the list holds, before what it shows of each case
        return queryset.with_urgency(customer_view=not self.staff, breached=False).queue_order(
            one_account=not self.staff
        )

    def cases_total(self):
        """How many cases the list holds, as SQL read with the page. Staff see every case: the database keeps
        their number per status (cases/tally.py) rather than counting them all for each page; a customer's are
        counted (an index of their account's)."""
        if self.staff:
            return tally.cases_of_sql(self.statuses)
        return queue.count_sql(self.cases)

    def count_cases(self) -> int:
        """The same number alone (for a page with no rows)."""
        if self.staff:
            return tally.cases_of(self.statuses)
        return self.cases.count()

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer}, summary="Open a case")
    def create(self, request):
        data = validated(CaseOpenSerializer, request, context={"request": request})
        case = services.case_open(
            actor=request.user,
            account=data.get("account"),
            subject=data["subject"],
            description=data["description"],
            channel=data["channel"],
            via=Channel.API,
            severity=data["severity"],
            contact=data.get("contact"),
        )
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CaseEntrySerializer(many=True), summary="The timeline you may read")
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        case = self.get_object()
        entries = case.entries.for_viewer(request.user).select_related("author")
        return Response(CaseEntrySerializer(entries, many=True).data)

    @extend_schema(responses=MilestoneSerializer(many=True), summary="SLA milestones")
    @action(detail=True, methods=["get"], pagination_class=None)
    def milestones(self, request, pk=None):
        milestones = self.get_object().milestones.for_viewer(request.user)
        return Response(MilestoneSerializer(milestones, many=True).data)

    @extend_schema(request=ReplySerializer, responses={201: CaseEntrySerializer}, summary="Post a public reply")
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        case = self.get_object()
        data = validated(ReplySerializer, request)
        entry = services.case_reply(
            actor=request.user,
            case=case,
            body=data["body"],
            channel=data["channel"],
            via=Channel.API,
            from_customer=data["from_customer"],
        )
        return Response(CaseEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TextSerializer, responses={201: CaseEntrySerializer}, summary="Write an internal note (staff)"
    )
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        case = self.get_object()
        payload = validated(TextSerializer, request)
        entry = services.case_note(actor=request.user, case=case, body=payload["body"])
        return Response(CaseEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StatusSerializer, responses=CaseSerializer, summary="Change the status")
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        case = self.get_object()
        payload = validated(StatusSerializer, request)
        services.case_set_status(actor=request.user, case=case, status=payload["status"])
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=EscalateSerializer, responses={201: EscalationSerializer}, summary="Escalate to the TAM")
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        case = self.get_object()
        payload = validated(EscalateSerializer, request)
        escalation = escalations.case_escalate(actor=request.user, case=case, reason=payload["reason"])
        return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ContactLogInputSerializer,
        responses={201: ContactLogSerializer},
        summary="Log a call, voicemail or e-mail (staff)",
        description="A call to support starts the phone-answer clock, a voicemail or e-mail to the TAM the "
        "TAM-reply clock, from when it came in; an answer given with it meets the clock then.",
    )
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        case = self.get_object()
        services.may_log_contact.require(request.user, case)  # the refusal before the input, as on the page
        payload = validated(ContactLogInputSerializer, request, context={"request": request})
        contact = services.contact_log(actor=request.user, case=case, **payload)
        return Response(ContactLogSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AnsweredSerializer,
        responses=ContactLogSerializer,
        summary="Record a call back: a logged call or message answered (staff)",
    )
    @action(detail=True, methods=["post"])
    def answered(self, request, pk=None):
        case = self.get_object()
        services.may_record_answer.require(request.user, case)  # the refusal before the input, as on the page
        payload = validated(AnsweredSerializer, request, context={"request": request})
        contact = case.contacts.filter(pk=payload["contact"]).first()
        if contact is None:
            raise DomainError("Choose a call or message logged on this case.", field="contact")
        contact = services.contact_answered(actor=request.user, contact=contact, answered_at=payload["answered_at"])
        return Response(ContactLogSerializer(contact).data)


class EscalationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Escalations, in the staff area. ``?mine=true``: the open ones waiting for your acknowledgement."""

    queryset = Escalation.objects.all()
    serializer_class = EscalationSerializer
    permission_classes = [IsVendorStaff]

    def scope_queryset(self, queryset):
        if self.request.query_params.get("mine", "").lower() in ("1", "true", "yes"):
            queryset = queryset.open().filter(escalated_to=self.request.user)
        return queryset.select_related("escalated_to").order_by("-escalated_at")

    @extend_schema(request=None, responses=EscalationSerializer, summary="Acknowledge")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        escalation = escalations.escalation_acknowledge(actor=request.user, escalation=self.get_object())
        return Response(EscalationSerializer(escalation).data)
