"""A converted lead follows its deal: the deals app records deal_won / deal_lost / deal_reverted
events and leads subscribes (registered in LeadsConfig.ready()); deals never imports leads."""

from __future__ import annotations

from leads.models import Lead

DEAL = "deals.dealregistration"


def _leads_of(event):
    if event.object_type != DEAL or not event.object_id:
        return Lead.objects.none()
    return Lead.objects.filter(tenant_id=event.tenant_id, deal_id=event.object_id)


def on_deal_won(event) -> None:
    _leads_of(event).update(deal_outcome=Lead.DealOutcome.WON, won_at=event.occurred_at)


def on_deal_lost(event) -> None:
    _leads_of(event).update(deal_outcome=Lead.DealOutcome.LOST, won_at=None)


def on_deal_reverted(event) -> None:
    _leads_of(event).update(deal_outcome=Lead.DealOutcome.OPEN, won_at=None)
