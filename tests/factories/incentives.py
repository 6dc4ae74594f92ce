"""Incentive factories. Objects that carry money are created through the services, so the ledger
always has the entries behind them (a fund's budget, an allocation, a reservation)."""

import uuid
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django_scopes import scopes_disabled

from deals.models import DealRegistration
from incentives.models import MdfAllocation, MdfFund, MdfRequest, SpifProgram
from tests.factories.base import ScopedFactory
from tests.factories.core import TenantFactory
from tests.factories.deals import DealFactory
from tests.factories.partners import PartnerFactory, TierFactory

__all__ = ["SpifProgramFactory", "MdfFundFactory", "MdfAllocationFactory", "MdfRequestFactory", "WonDealFactory",
           "mdf_partner"]


def mdf_partner(tenant, **kwargs):
    """A partner in an MDF-eligible tier (Gold)."""
    tier = TierFactory(tenant=tenant, rank=3, name="Gold", mdf_eligible=True)
    return PartnerFactory(tenant=tenant, tier=tier, **kwargs)


class SpifProgramFactory(ScopedFactory):
    """program_save with tiers=/partner_types=/products=/bands=[(min, amount, percent), ...]."""

    class Meta:
        model = SpifProgram

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"SPIF {n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=90))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))
    rule = SpifProgram.Rule.FLAT
    flat_amount = Decimal("500.00")
    budget = Decimal("100000.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from incentives.services import program_save

        links = {k: kwargs.pop(k, None) for k in ("tiers", "partner_types", "products", "bands")}
        program = model_class(**kwargs)
        with scopes_disabled():
            return program_save(tenant=kwargs["tenant"], program=program, actor=None, **links)


class MdfFundFactory(ScopedFactory):
    class Meta:
        model = MdfFund

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"MDF fund {n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=150))
    currency = "USD"
    budget = Decimal("100000.00")
    coop_rate = Decimal("50")
    claim_deadline_days = 60

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from incentives.services import fund_save

        with scopes_disabled():
            return fund_save(tenant=kwargs["tenant"], fund=model_class(**kwargs), actor=None)


class MdfAllocationFactory(ScopedFactory):
    class Meta:
        model = MdfAllocation

    tenant = factory.SubFactory(TenantFactory)
    fund = factory.LazyAttribute(lambda o: MdfFundFactory(tenant=o.tenant))
    partner = factory.LazyAttribute(lambda o: mdf_partner(o.tenant))
    amount = Decimal("10000.00")
    currency = None
    rate = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from incentives.services import allocation_create

        with scopes_disabled():
            return allocation_create(tenant=kwargs["tenant"], fund=kwargs["fund"], partner=kwargs["partner"],
                                     amount=kwargs["amount"], currency=kwargs.get("currency"), rate=kwargs.get("rate"),
                                     actor=None)


class MdfRequestFactory(ScopedFactory):
    """mdf_request_submit; approve=True pre-approves it (approved_amount= to adjust)."""

    class Meta:
        model = MdfRequest

    tenant = factory.SubFactory(TenantFactory)
    allocation = factory.LazyAttribute(lambda o: MdfAllocationFactory(tenant=o.tenant))
    activity_type = MdfRequest.ActivityType.WEBINAR
    title = factory.Sequence(lambda n: f"Webinar {n}")
    description = "Security webinar for 200 IT leaders."
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyFunction(timezone.localdate)
    requested_amount = Decimal("1000.00")
    expected_leads = 20
    today = None
    approve = False
    approved_amount = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from incentives.services import mdf_request_decide, mdf_request_submit

        tenant, allocation = kwargs.pop("tenant"), kwargs["allocation"]
        today, approve, approved_amount = kwargs.pop("today"), kwargs.pop("approve"), kwargs.pop("approved_amount")
        with scopes_disabled():
            mdf_request, _created = mdf_request_submit(
                tenant=tenant, partner=allocation.partner, user=None, data=kwargs, nonce=uuid.uuid4(), today=today)
            if approve:
                mdf_request = mdf_request_decide(tenant=tenant, mdf_request=mdf_request, actor=None, approve=True,
                                                 amount=approved_amount)
        return mdf_request


class WonDealFactory(DealFactory):
    """A won registration (written directly; use the deals services where the event matters)."""

    status = DealRegistration.Status.WON
    won_amount = factory.LazyAttribute(lambda o: o.amount)
    won_base_amount = factory.LazyAttribute(lambda o: o.won_amount if o.currency == "USD" else None)
    closed_on = factory.LazyFunction(timezone.localdate)
