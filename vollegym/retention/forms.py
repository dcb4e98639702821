from __future__ import annotations

from typing import Any

from django import forms

from vollegym.core.dateinputs import ClockField
from vollegym.retention.models import LAST_DAY, Touchpoint


class TouchpointForm(forms.ModelForm[Touchpoint]):
    """One touchpoint in the editor; the model's own checks (placeholders, a condition only on a task) apply."""

    class Meta:
        model = Touchpoint
        fields = ["day", "at", "kind", "title", "text", "condition"]
        field_classes = {"at": ClockField}
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.attrs.update({"min": 0, "max": LAST_DAY, "inputmode": "numeric"})
