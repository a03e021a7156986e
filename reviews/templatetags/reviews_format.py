from django import template

from reviews.charts import format_bytes

register = template.Library()


@register.filter
def bytes_label(value) -> str:
    """Bytes as people read them (1.4 MB, 23 GB), the same as the chart's."""
    if value is None or value == "":
        return "–"
    return format_bytes(int(value))
