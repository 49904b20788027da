"""Materials the coordinator shares with the team (a file or a link, tagged by tool and topic),
and who has confirmed reading them. A session may name materials too (its form lists them)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.errors import Forbidden, Invalid, NotFound
from app.i18n import gettext as _
from supervision.access import forbid_head
from supervision.models import Material, MaterialRead


class MaterialForm(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=4000)
    url: str | None = Field(default=None, max_length=500)
    tool_id: int | None = None
    topic: str = Field(default="", max_length=100)
    tags: str = Field(default="", max_length=300)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("Link musi zaczynać się od https:// lub http://.")
        return value or None


async def share_material(
    db: AsyncSession, form: MaterialForm, user: CurrentUser, *, file_id: int | None = None
) -> Material:
    if not user.is_coordinator:
        raise Forbidden(_("Materiały udostępnia koordynatorka."))
    if not form.url and file_id is None:
        raise Invalid(
            _("Dodaj plik albo link."), errors={"url": _("Podaj link albo wybierz plik.")}
        )
    material = Material(
        title=form.title.strip(),
        description=form.description.strip(),
        url=form.url,
        file_id=file_id,
        tool_id=form.tool_id,
        topic=form.topic.strip(),
        tags=", ".join(t.strip() for t in form.tags.split(",") if t.strip()),
        created_by_id=user.id,
    )
    db.add(material)
    await db.commit()
    return material


@dataclass(frozen=True, slots=True)
class MaterialView:
    material: Material
    read: bool
    readers: int


async def list_materials(
    db: AsyncSession, user: CurrentUser, *, tag: str | None = None
) -> list[MaterialView]:
    forbid_head(user)
    materials = (
        (await db.scalars(select(Material).order_by(Material.shared_at.desc()))).unique().all()
    )
    mine = set(
        (
            await db.scalars(
                select(MaterialRead.material_id).where(MaterialRead.user_id == user.id)
            )
        ).all()
    )
    count_rows = await db.execute(
        select(MaterialRead.material_id, func.count()).group_by(MaterialRead.material_id)
    )
    counts = {material_id: n for material_id, n in count_rows.all()}
    views = [MaterialView(m, m.id in mine, int(counts.get(m.id, 0))) for m in materials]
    if tag:
        wanted = tag.strip().lower()
        views = [
            v
            for v in views
            if wanted in [t.lower() for t in v.material.tag_list]
            or wanted == v.material.topic.lower()
            or (v.material.tool is not None and wanted == v.material.tool.code.lower())
        ]
    return views


async def confirm_read(db: AsyncSession, material_id: int, user: CurrentUser) -> None:
    """The counsellor confirms they read a material (idempotent)."""
    forbid_head(user)
    if await db.get(Material, material_id) is None:
        raise NotFound(_("Nie ma takiego materiału."))
    exists = await db.scalar(
        select(func.count()).where(
            MaterialRead.material_id == material_id, MaterialRead.user_id == user.id
        )
    )
    if not exists:
        db.add(MaterialRead(material_id=material_id, user_id=user.id))
        await db.commit()
