"""What a browser would send from a page's form: every field with the value the page shows (the selected option,
a ticked box, a textarea's text, the inline management forms), read from the page's HTML, so a test changes
only the fields it is about."""

from html.parser import HTMLParser

from django.test import Client


class _Fields(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = form_id is None
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_id is not None:
            self.inside = (attrs.get("id") or "") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name") or ""
        if "__prefix__" in name:  # the template of a row the page's script adds
            return
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._first_option = name, None
            self.values.setdefault(name, [])
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self.values[self._select].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self.values[self._select] and not self._multiple and self._first_option is not None:
                self.values[self._select] = [self._first_option]  # a browser sends the first option
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.form_id is not None:
            self.inside = False

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data


def form_values(client: Client, url: str, *, form_id: str | None = None, **changes) -> dict:
    """The fields of the form ``form_id`` (or every field of the page) as the page at ``url`` shows them, with
    ``changes`` applied; ready for ``client.post``."""
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    parser = _Fields(form_id)
    parser.feed(page.content.decode())
    values = {name: found if len(found) != 1 else found[0] for name, found in parser.values.items()}
    values.pop("csrfmiddlewaretoken", None)
    return {**values, **changes}


def admin_form_values(client: Client, url: str, **changes) -> dict:
    """The configuration site's add or change form (its id is ``<model>_form``)."""
    model = url.rstrip("/").split("/")[3]
    return form_values(client, url, form_id=f"{model}_form", **changes)
