"""The Excel files of the signs' pages (the 台账 layout itself is utilities.excel's)."""

from django.conf import settings

from utilities.excel import write_table, xlsx_response


def town_progress(table, *, town, as_of):
    """A township's villages as the page lists them (its filter and order), every row."""
    return xlsx_response(
        lambda out: write_table(
            out,
            table,
            name=town.name,
            title=f"{town.name}村(社区)进度表",
            unit=settings.SITE_UNIT_NAME,
            as_of=as_of,
        ),  # fmt: skip
        f"{town.name}村(社区)进度_截至{as_of:%Y-%m-%d}.xlsx",
        ascii_name=f"hengzhou-town-{town.code}-{as_of:%Y-%m-%d}.xlsx",
    )
