from ..routing import Route
from . import handlers, page

BASE = "/v4/spreadsheets/<id:spreadsheet_id>"
VALUES = BASE + "/values/<path:value_range>"

ROUTES = [
    Route("POST", "/v4/spreadsheets", handlers.create, "sheets.spreadsheets.create"),
    Route("GET", BASE, handlers.get, "sheets.spreadsheets.get"),
    Route("POST", BASE + ":batchUpdate", handlers.batch_update, "sheets.spreadsheets.batchUpdate"),
    Route(
        "POST",
        BASE + "/developerMetadata:search",
        handlers.developer_metadata_search,
        "sheets.spreadsheets.developerMetadata.search",
    ),
    Route("GET", BASE + "/values:batchGet", handlers.values_batch_get, "sheets.spreadsheets.values.batchGet"),
    Route("POST", BASE + "/values:batchUpdate", handlers.values_batch_update, "sheets.spreadsheets.values.batchUpdate"),
    Route("POST", BASE + "/values:batchClear", handlers.values_batch_clear, "sheets.spreadsheets.values.batchClear"),
    Route("GET", VALUES, handlers.values_get, "sheets.spreadsheets.values.get"),
    Route("PUT", VALUES, handlers.values_update, "sheets.spreadsheets.values.update"),
    Route("POST", VALUES + ":append", handlers.values_append, "sheets.spreadsheets.values.append"),
    Route("POST", VALUES + ":clear", handlers.values_clear, "sheets.spreadsheets.values.clear"),
    Route("GET", "/spreadsheets/d/<id:spreadsheet_id>/edit", page.show),
    Route("POST", "/spreadsheets/d/<id:spreadsheet_id>/edit", page.save),
]
