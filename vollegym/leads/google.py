"""Google Ads lead form extensions: the webhook body, its per-form key, and the column mapping."""

from __future__ import annotations

import hmac
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vollegym.leads.models import GoogleLeadForm
from vollegym.leads.services import CaptureError, LeadInput
from vollegym.studios.models import Studio


class _Column(BaseModel):
    model_config = ConfigDict(extra="ignore")
    column_id: str = ""
    column_name: str = ""
    string_value: str = ""


class GoogleLeadIn(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    lead_id: str = Field(min_length=1, max_length=150)  # part of the stored delivery's key (200 characters)
    google_key: str = Field(min_length=1)
    form_id: str = ""
    campaign_id: str = ""
    adgroup_id: str = ""
    creative_id: str = ""
    gcl_id: str = ""
    is_test: bool = False
    user_column_data: list[_Column] = Field(default_factory=list)


def parse(payload: object) -> GoogleLeadIn:
    try:
        return GoogleLeadIn.model_validate(payload)
    except ValidationError as exc:
        from vollegym.leads.inbound import describe

        raise CaptureError("body", describe(exc)) from None


def key_matches(studio: Studio, lead: GoogleLeadIn) -> bool:
    """The key of the lead's form, or else the studio's key for any form; compared in constant time."""
    keys = GoogleLeadForm.objects.for_studio(studio).filter(form_id__in=[lead.form_id, ""])
    by_form = {k.form_id: k.key for k in keys}
    expected = by_form.get(lead.form_id) or by_form.get("")
    return expected is not None and hmac.compare_digest(expected.encode(), lead.google_key.encode())


def lead_input(lead: GoogleLeadIn) -> LeadInput:
    values: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for column in lead.user_column_data:
        cid = column.column_id.upper()
        if cid in {
            "FULL_NAME",
            "FIRST_NAME",
            "LAST_NAME",
            "EMAIL",
            "WORK_EMAIL",
            "PHONE_NUMBER",
            "WORK_PHONE",
        }:
            values[cid] = column.string_value
        else:
            answers[column.column_name or column.column_id] = column.string_value
    name = values.get("FULL_NAME") or " ".join(
        v for v in (values.get("FIRST_NAME"), values.get("LAST_NAME")) if v
    )
    return LeadInput(
        source="google",
        name=name,
        email=values.get("EMAIL") or values.get("WORK_EMAIL", ""),
        phone=values.get("PHONE_NUMBER") or values.get("WORK_PHONE", ""),
        campaign=lead.campaign_id,
        ad=lead.creative_id,
        form=lead.form_id,
        utm={k: v for k, v in (("gclid", lead.gcl_id), ("adgroup", lead.adgroup_id)) if v},
        answers=answers,
        is_test=lead.is_test,
    )
