"""The inventory CSV: both shapes, told apart by the header; every row validated; bad files refused whole, by line
number; big files streamed."""

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from core.errors import DomainError, NotAllowed
from reviews import services
from reviews.inventory import (
    PER_FILE,
    PER_TYPE,
    InventoryRejected,
    extension_of,
    read_inventory,
    read_inventory_file,
)
from reviews.models import InventoryRow, ProactiveReview

from .conftest import ON_THE_FIXED_CLOCK

pytestmark = ON_THE_FIXED_CLOCK


def read(text: str):
    return read_inventory_file(io.BytesIO(text.encode()))


def problems(text: str) -> list[str]:
    with pytest.raises(InventoryRejected) as refused:
        read(text)
    return refused.value.lines


def test_one_row_per_file_is_added_up_by_extension():
    inventory = read(
        "path,size\n"
        "D:\\Repo\\2026\\inv-001.PDF,1000\n"
        "/repo/2026/inv-002.pdf,500\n"
        '"/repo/scans/batch, part 1.tif",2048\n'
        "/repo/README,10\n"
        "/repo/.profile,3\n"
        "\n"
        "/repo/archive.tar.gz,7\n"
    )
    assert inventory.format == PER_FILE
    assert inventory.rows == 6
    assert inventory.totals == {"pdf": [2, 1500], "tif": [1, 2048], "": [2, 13], "gz": [1, 7]}


def test_one_row_per_file_may_give_the_extension_instead_of_the_path():
    inventory = read("Extension;Size (bytes)\n".replace(";", ",") + ".PDF,10\npdf,5\n(none),1\n")
    assert inventory.totals == {"pdf": [2, 15], "": [1, 1]}


def test_one_row_per_type():
    inventory = read("File type,Files,Total bytes\npdf,120,5000\nTIF,30,90000\n(no extension),2,10\n")
    assert inventory.format == PER_TYPE
    assert inventory.totals == {"pdf": [120, 5000], "tif": [30, 90000], "": [2, 10]}


def test_a_byte_order_mark_and_windows_line_ends_are_fine():
    inventory = read_inventory_file(io.BytesIO("\ufeffextension,count,bytes\r\npdf,1,2\r\n".encode()))
    assert inventory.totals == {"pdf": [1, 2]}


def test_bad_rows_are_reported_by_line_number():
    lines = problems(
        "path,size\n"  # 1
        "/a.pdf,10\n"  # 2
        "\n"  # 3: blank lines are skipped but counted
        "/b.pdf,ten\n"  # 4
        "/c.pdf,-5\n"  # 5
        "/d.pdf\n"  # 6
        "/e.pdf,1.5\n"  # 7
        ",10\n"  # 8
        "/f.pdf,\n"  # 9
        "/g.pdf,99999999999999999999\n"  # 10
    )
    assert lines == [
        "line 4: size is not a whole number (“ten”)",
        "line 5: size is not a whole number (“-5”)",
        "line 6: expected 2 columns, found 1",
        "line 7: size is not a whole number (“1.5”)",
        "line 8: the path is empty",
        "line 9: size is empty",
        "line 10: size is too large",
    ]


def test_per_type_rows_are_checked_too():
    lines = problems("extension,count,bytes\npdf,1,2\nPDF,3,4\nmy docs,1,1\ntif,x,1\n" + "x" * 40 + ",1,1\n")
    assert lines == [
        "line 3: .pdf already has a row on line 2",
        "line 4: the extension “my docs” is not a file extension",
        "line 5: count is not a whole number (“x”)",
        "line 6: the extension is longer than 32 characters",
    ]


def test_the_list_stops_at_twenty_and_counts_the_rest():
    rows = "".join(f"/f{n}.pdf,big\n" for n in range(25))
    lines = problems("path,size\n" + rows)
    assert len(lines) == 21
    assert lines[0] == "line 2: size is not a whole number (“big”)"
    assert lines[19].startswith("line 21:")
    assert lines[-1] == "and 5 more"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("\n\n", "The file is empty"),
        ("path,size\n", "The file has a header but no rows."),
        ("name,colour\nx,red\n", "line 1: the header must name"),
        ("count,bytes\n1,2\n", "line 1: the header must name"),
    ],
)
def test_files_without_a_usable_header_or_rows(text, message):
    assert problems(text)[0].startswith(message)


def test_a_file_that_is_not_utf8_text():
    with pytest.raises(InventoryRejected) as refused:
        read_inventory_file(io.BytesIO(b"path,size\n/a.pdf,1\n\x89PNG\x00\xff\xfe,2\n"))
    assert refused.value.lines == ["line 3: the line is not UTF-8 text"]
    assert problems_of(b"\xff\xfe\x00p\x00a\x00t\x00h") == ["line 1: the line is not UTF-8 text"]


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(InventoryRejected) as refused:
        read_inventory_file(io.BytesIO(data))
    return refused.value.lines


def test_extensions_from_paths():
    assert extension_of("C:\\Scans\\Batch.7\\page.TIFF") == "tiff"
    assert extension_of("/repo/Makefile") == ""
    assert extension_of("/repo/.bashrc") == ""
    assert extension_of("/repo/name.") == ""
    assert extension_of("/repo/odd.name with space") == ""


def test_a_big_file_streams_in_bounded_memory():
    rows = 60_000  # tracemalloc is slow; the 200,000-row upload below checks the import itself
    extensions = ["pdf", "tif", "docx", "msg", "xlsx"]

    def lines():
        yield "path,size\n"
        for n in range(rows):
            yield f"/repo/{n // 1000}/document-{n}.{extensions[n % 5]},{n % 4096}\n"

    tracemalloc.start()
    try:
        inventory = read_inventory(lines())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert inventory.rows == rows
    assert sum(files for files, _ in inventory.totals.values()) == rows
    assert inventory.totals["pdf"] == [rows // 5, sum(n % 4096 for n in range(0, rows, 5))]
    assert peak < 500_000  # the rows alone are some 2 MB of text


# --- The service -----------------------------------------------------------------------------------


def upload(text: str, name="inventory.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_a_good_file_replaces_the_inventory(review, tam):
    services.inventory_set_row(actor=tam, review=review, extension="bmp", file_count=1, bytes=1)
    services.inventory_import_csv(
        actor=tam, review=review, upload=upload("extension,count,bytes\npdf,3,300\ntif,1,10\n")
    )
    assert sorted(InventoryRow.objects.values_list("extension", "file_count", "bytes")) == [
        ("pdf", 3, 300),
        ("tif", 1, 10),
    ]
    review.refresh_from_db()
    assert review.inventory_source == "inventory.csv" and review.inventory_imported_at is not None


def test_a_bad_file_changes_nothing(review, tam):
    services.inventory_set_row(actor=tam, review=review, extension="pdf", file_count=1, bytes=1)
    with pytest.raises(services.InventoryFileRefused) as refused:
        services.inventory_import_csv(
            actor=tam, review=review, upload=upload("path,size\n/a.tif,1\n/b.tif,2\n/c.tif,x\n")
        )
    assert refused.value.message == "Nothing was imported: the file has 1 problem."
    assert refused.value.lines == ["line 4: size is not a whole number (“x”)"]
    assert list(InventoryRow.objects.values_list("extension", "file_count", "bytes")) == [("pdf", 1, 1)]
    review.refresh_from_db()
    assert review.inventory_imported_at is None


def test_a_big_upload_on_disk_imports(review, tam):
    big = TemporaryUploadedFile("big.csv", "text/csv", 0, "utf-8")
    big.write(b"path,size\n")
    for n in range(200_000):
        big.write(f"/r/{n}.{'pdf' if n % 2 else 'tif'},{n % 100}\n".encode())
    big.seek(0)
    services.inventory_import_csv(actor=tam, review=review, upload=big)
    assert dict((r.extension, r.file_count) for r in InventoryRow.objects.all()) == {"pdf": 100_000, "tif": 100_000}
    assert not big.file.closed  # the upload's file is still its owner's to close
    big.close()


def test_only_tams_import_and_not_into_a_published_review(review, tam, alice):
    with pytest.raises(NotAllowed, match="Only TAMs"):
        services.inventory_import_csv(actor=alice, review=review, upload=upload("extension,count,bytes\npdf,1,1\n"))
    ProactiveReview.objects.filter(pk=review.pk).update(status="published")
    review.refresh_from_db()
    with pytest.raises(DomainError, match="published"):
        services.inventory_import_csv(actor=tam, review=review, upload=upload("extension,count,bytes\npdf,1,1\n"))
