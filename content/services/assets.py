"""Asset writes: create/update with audience rules, new file versions, engagement events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from content.cobrand import CobrandError, check_cobrandable
from content.models import Asset, AssetPartnerType, AssetVersion, LibraryVisit
from prm.audit.services import audit_log
from prm.events.services import record_event
from prm.uploads import validate_upload

# What the library accepts: documents, images, video, archives, text. Never HTML or executables.
ASSET_UPLOAD_KINDS = frozenset({"pdf", "office", "image", "svg", "video", "zip", "text"})
# Library visits closer together than this count as one visit ("new since your last visit").
VISIT_GAP = timedelta(minutes=30)


def max_upload_mb() -> int:
    return settings.PRM_MAX_UPLOAD_MB


def validate_asset_upload(upload, *, co_brand: bool = False):
    """Sniff and check an uploaded file (size, real type, scripts); ValidationError for the form."""
    sniffed = validate_upload(upload, kinds=set(ASSET_UPLOAD_KINDS), max_mb=max_upload_mb())
    if co_brand:
        if sniffed.content_type != "application/pdf":
            raise ValidationError(_("Only PDF files can be co-branded."))
        try:
            check_cobrandable(upload)
        except CobrandError:
            raise ValidationError(_("This PDF is encrypted or damaged and cannot be co-branded.")) from None
    return sniffed


def _check_tenant(tenant, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.tenant_id != tenant.pk:
            raise ValidationError(_("Unknown %(model)s.") % {"model": obj._meta.verbose_name})


@transaction.atomic
def asset_save(
    *, tenant, asset: Asset, actor=None, partner_types: Iterable | None = None, upload=None,
    version_note: str = "", request=None,
) -> Asset:
    """Create or update an asset (from the staff page or the admin) and, optionally, a new file.

    Validation happens before anything is written, so a refused upload saves nothing.
    """
    creating = asset._state.adding
    asset.tenant = tenant
    _check_tenant(tenant, asset.category, asset.min_tier)
    types = list(partner_types) if partner_types is not None else None
    _check_tenant(tenant, *(types or []))
    if upload is not None:
        if asset.kind != Asset.Kind.FILE:
            raise ValidationError({"kind": _("Choose “File” to upload a file.")})
        sniffed = validate_asset_upload(upload, co_brand=asset.co_brand)
    else:
        sniffed = None
        if asset.kind == Asset.Kind.FILE and asset.co_brand and asset.current_version_id:
            if asset.current_version.content_type != "application/pdf":
                raise ValidationError({"co_brand": _("Only PDF files can be co-branded.")})
    if asset.kind == Asset.Kind.FILE and upload is None and not asset.current_version_id and asset.publish_at:
        raise ValidationError({"file": _("Upload the file before publishing this asset.")})
    if creating and actor is not None and getattr(actor, "is_authenticated", False):
        asset.created_by = actor
    asset.full_clean(exclude=["current_version"])
    asset.save()
    if types is not None:
        wanted = {t.pk for t in types}
        AssetPartnerType.objects.filter(asset=asset).exclude(partner_type_id__in=wanted).delete()
        existing = set(AssetPartnerType.objects.filter(asset=asset).values_list("partner_type_id", flat=True))
        AssetPartnerType.objects.bulk_create(
            [AssetPartnerType(tenant=tenant, asset=asset, partner_type_id=pk) for pk in wanted - existing]
        )
    audit_log(tenant=tenant, actor=actor, action="content.asset.create" if creating else "content.asset.update",
              obj=asset, changes={"title": asset.title, "published": asset.publish_at.isoformat() if asset.publish_at else None},
              request=request)
    if upload is not None:
        _add_version(tenant=tenant, asset=asset, upload=upload, sniffed=sniffed, actor=actor, note=version_note,
                     request=request)
    return asset


def asset_add_version(*, tenant, asset: Asset, upload, actor=None, note: str = "", request=None) -> AssetVersion:
    """Replace the file of an asset: a new version becomes current, the old ones stay as history."""
    if asset.kind != Asset.Kind.FILE:
        raise ValidationError(_("Only file assets have versions."))
    _check_tenant(tenant, asset)
    sniffed = validate_asset_upload(upload, co_brand=asset.co_brand)
    with transaction.atomic():
        return _add_version(tenant=tenant, asset=asset, upload=upload, sniffed=sniffed, actor=actor, note=note,
                            request=request)


def _add_version(*, tenant, asset, upload, sniffed, actor, note, request) -> AssetVersion:
    # Lock the asset row so two simultaneous uploads get different version numbers.
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    number = (AssetVersion.objects.filter(asset=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    version = AssetVersion(
        tenant=tenant, asset=locked, number=number, original_name=sniffed.safe_name,
        content_type=sniffed.content_type, size=sniffed.size, note=note[:200],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    upload.seek(0)
    version.file.save(sniffed.safe_name, upload, save=False)
    try:
        version.save()
        Asset.objects.filter(pk=locked.pk).update(current_version=version, updated_at=timezone.now())
        audit_log(tenant=tenant, actor=actor, action="content.asset.new_version", obj=asset,
                  changes={"version": number, "file": sniffed.safe_name, "type": sniffed.content_type},
                  request=request)
    except Exception:
        # Nothing half-saved: the stored file goes when its row does not make it.
        version.file.storage.delete(version.file.name)
        raise
    asset.current_version = version
    return version


def asset_record_view(*, tenant, asset: Asset, membership, user) -> None:
    """One content_viewed event per detail-page view by a partner member (staff are not counted)."""
    if membership is None or not membership.is_partner:
        return
    record_event(tenant=tenant, kind="content_viewed", partner=membership.partner, user=user, obj=asset)


def asset_record_download(*, tenant, asset: Asset, membership, user, data: dict | None = None) -> None:
    """One content_downloaded event per delivery to a partner member."""
    if membership is None or not membership.is_partner:
        return
    record_event(tenant=tenant, kind="content_downloaded", partner=membership.partner, user=user, obj=asset,
                 data=data)


def library_visit_touch(*, tenant, user) -> LibraryVisit:
    """Note a library visit; visits within VISIT_GAP of the previous one are the same visit."""
    now = timezone.now()
    visit = LibraryVisit.objects.filter(user=user).first()
    if visit is None:
        visit, created = LibraryVisit.objects.get_or_create(tenant=tenant, user=user, defaults={"last_visit_at": now})
        if created:
            return visit
    if now - visit.last_visit_at >= VISIT_GAP:
        visit.previous_visit_at = visit.last_visit_at
        visit.last_visit_at = now
        visit.save(update_fields=["previous_visit_at", "last_visit_at"])
    return visit
