"""tools/execute.py: stored outputs must not depend on how the kernel chunked its printing."""

from nbformat.v4 import new_output

from tools.execute import coalesce_streams


def test_adjacent_streams_of_the_same_name_are_merged():
    outputs = [
        new_output("stream", name="stdout", text="a\n"),
        new_output("stream", name="stdout", text="b\n"),
        new_output("stream", name="stderr", text="warning\n"),
        new_output("display_data", data={"text/plain": "<FIGURE>"}),
        new_output("stream", name="stdout", text="c\n"),
        new_output("stream", name="stdout", text="d\n"),
    ]
    merged = coalesce_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "a\nb\n"),
        ("stream", "stderr", "warning\n"),
        ("display_data", None, None),
        ("stream", "stdout", "c\nd\n"),
    ]
