"""Writing a checked sign inventory (signs.imports plans it): every sign and removal, or
nothing; validated as each model validates itself, written in bulk, each with its audit row,
the villages' tallies refreshed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from utilities.spreadsheets.base import ImportRejected, PlanChanged, Sheet
from villages.audit import audit_entry, audit_write, snapshot
from villages.models import AuditEntry, Town

from ..imports.plan import SKIP, PlannedSign, SignPlan, plan_sign_import
from ..models import ImportBatch, Removal, Signboard
from ..tallies import refresh_village_tallies
from .removals import NOT_CLEANED

# --- the sign inventory: write ----------------------------------------------------------------


def _audit_row(*, actor, action: str, obj, town: Town) -> AuditEntry:
    return audit_entry(actor=actor, action=action, obj=obj, town=town, after=snapshot(obj))


@transaction.atomic
def sign_import_commit(
    *, town: Town, user, sheet: Sheet, file_name: str = "", expected: dict | None = None
) -> SignPlan:
    """Write an inventory sheet for `town`: every sign and removal, or nothing.

    Plans again inside the transaction (the township row locked, so two imports of one
    township run one after the other); raises ImportRejected on any error and PlanChanged
    when the counts differ from `expected`, the preview the user confirmed. Signs and removals
    are built and checked as signs.services does and written in bulk, each with its audit row.
    """
    town = Town.objects.select_for_update().get(pk=town.pk)
    plan = plan_sign_import(town=town, sheet=sheet)
    if plan.errors:
        raise ImportRejected(plan)
    if expected is not None and plan.summary != expected:
        raise PlanChanged(plan)
    if not plan.to_create and not plan.to_add_removal:
        return plan  # everything is in already: nothing to write, nothing to audit
    try:
        with transaction.atomic():
            _write_signs(plan, user=user, file_name=file_name, sha256=sheet.sha256)
    except IntegrityError as exc:
        raise ValidationError(
            _("A sign changed while the file was being imported; nothing was saved. Try again.")
        ) from exc
    audit_write(
        actor=user,
        action="signboard.import",
        obj=town,
        town=town,
        after={"file": file_name[:200], "sha256": sheet.sha256, **plan.summary},
    )
    return plan


def _write_signs(plan: SignPlan, *, user, file_name: str = "", sha256: str = "") -> None:
    now = timezone.now()
    town = plan.town
    batch = ImportBatch.objects.create(
        town=town, file_name=file_name[:200], sha256=sha256, imported_by=user, imported_at=now,
        signs=len(plan.to_create),
        removals=sum(1 for p in plan.rows if p.removed_on and p.action != SKIP),
    )  # fmt: skip
    new_signs: list[tuple[PlannedSign, Signboard]] = []
    for p in plan.to_create:
        sign = Signboard(
            village=p.village,
            kind=p.kind,
            title=p.title,
            location=p.location,
            approved_item=p.approved_item,
            inventoried_on=p.inventoried_on,
            requested_by=p.requested_by,
            created_by=user,
            created_at=now,
        )
        # Foreign keys and constraints were checked by the plan and stay with the database.
        sign.full_clean(
            exclude=["village", "approved_item", "requested_by", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        new_signs.append((p, sign))
    Signboard.objects.bulk_create([sign for _p, sign in new_signs], batch_size=500)
    audits = [
        _audit_row(actor=user, action="signboard.create", obj=sign, town=town)
        for _p, sign in new_signs
    ]
    existing = Signboard.objects.in_bulk([p.existing_id for p in plan.to_add_removal])
    removal_rows = [(p, sign) for p, sign in new_signs if p.removed_on]
    removal_rows += [(p, existing[p.existing_id]) for p in plan.to_add_removal]
    removals = []
    for p, sign in removal_rows:
        removal = Removal(
            signboard=sign,
            removed_on=p.removed_on,
            reason=p.reason,
            note=p.note.strip(),
            recorded_by=user,
            recorded_at=now,
            import_batch=batch,
            sign_village_id=sign.village_id,
            sign_requested_by_id=sign.requested_by_id,
        )
        removal.full_clean(
            exclude=[*NOT_CLEANED, "signboard", "recorded_by", "revoked_by", "import_batch"],
            validate_unique=False,
            validate_constraints=False,
        )
        removals.append(removal)
    Removal.objects.bulk_create(removals, batch_size=500)
    audits += [
        _audit_row(actor=user, action="removal.record", obj=removal, town=town)
        for removal in removals
    ]
    AuditEntry.objects.bulk_create(audits, batch_size=500)
    dates = [p.inventoried_on for p, _sign in new_signs] + [p.removed_on for p, _s in removal_rows]
    refresh_village_tallies(
        {sign.village_id for _p, sign in new_signs}
        | {sign.village_id for _p, sign in removal_rows},
        since=min(dates, default=None),  # the villages' figures by day from the earliest date
    )
