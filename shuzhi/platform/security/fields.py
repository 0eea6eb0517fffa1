"""Model fields for graded data: SM4-encrypted text and its deterministic join token.

    id_number = EncryptedTextField(_("ID number"))
    id_number_token = TokenField(source="id_number")

The database holds only ``sm4:<key id>:<ciphertext>``; Python code sees plain text. Equality
lookups go through the token: ``Resident.objects.filter(id_number_token=token_of(value))``.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .keys import field_cipher


def token_of(value: str) -> str:
    """The join token of a plain value (stable across key rotation)."""
    return field_cipher().token(value)


class EncryptedTextField(models.TextField):
    """Text stored encrypted with SM4 under the active key id; decrypted on load."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return field_cipher().decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return field_cipher().encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertexts are randomised, so only ``isnull`` can work; equality uses the token.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


class TokenField(models.CharField):
    """SM3 keyed token of another field's plain value, computed on every save."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        plain = getattr(model_instance, self.source)
        token = token_of(plain) if plain else ""
        setattr(model_instance, self.attname, token)
        return token


class EncryptedQuerySet(models.QuerySet[Any]):
    """Refuses bulk writes that would bypass encryption bookkeeping.

    ``update()`` and ``bulk_update()`` do not run ``TokenField.pre_save``, so an encrypted
    value changed through them would keep a stale token and silently break joins.
    """

    def _encrypted_names(self) -> set[str]:
        return {
            f.name for f in self.model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        }

    def update(self, **kwargs: Any) -> int:
        touched = self._encrypted_names() & set(kwargs)
        if touched:
            raise TypeError(
                f"update() cannot change encrypted fields {sorted(touched)}: save() each object"
            )
        return super().update(**kwargs)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        touched = self._encrypted_names() & set(fields)
        if touched:
            raise TypeError(
                f"bulk_update() cannot change encrypted fields {sorted(touched)}: save() each object"
            )
        return super().bulk_update(objs, fields, batch_size=batch_size)


EncryptedManager = models.Manager.from_queryset(EncryptedQuerySet)
