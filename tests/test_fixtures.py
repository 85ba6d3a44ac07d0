import pytest

from signs import selectors
from signs.models import Standard
from villages.models import Town


@pytest.mark.django_db
def test_townships_and_standard(fixtures_loaded):
    towns = Town.objects.all()
    assert towns.count() == 17
    assert towns.filter(kind="township").get().name == "镇龙乡"
    assert all(t.code.startswith("450181") and len(t.code) == 9 for t in towns)
    standard = Standard.objects.get(is_current=True)
    assert "示例" in standard.title
    assert selectors.standard_counts() == {"rule": 19, "plaque": 21, "organization": 4}
