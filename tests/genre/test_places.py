"""Places a question names: suffixed names, the lexical model's place entities, counts and run-on words cut off."""

import pytest

from huiyi.genre.places import named_places


@pytest.mark.parametrize("question,names", [
    ("四川、湖北、江西和福建四地去年粮食产量哪个最高?", ["四川", "湖北", "江西", "福建"]),
    ("安徽、湖南、江西三省去年谁的进出口增长最快?", ["安徽", "湖南", "江西"]),  # not 江西三省
    ("桐庐和淳安两县哪个人口多?", ["桐庐", "淳安"]),  # not 淳安两县
    ("衡东县委书记和雁峰区委书记分别是谁?", ["衡东县", "雁峰区"]),
    ("四川和湖北作政府工作报告的省长分别是谁?", ["四川", "湖北"]),  # not 湖北作政府
])
def test_named_places(question, names):
    assert [name for name, _, _ in named_places(question)] == names


def test_spans_point_at_the_names():
    q = "安徽、湖南、江西三省去年谁的进出口增长最快?"
    assert all(q[s:e] == name for name, s, e in named_places(q))
