#pragma once
// Tables of JSON rows as CSV (RFC 4180), for spreadsheets and tools that do not read SQLite.
//
// Rows come as JSON objects (CampaignStore::trials(), runs(), ...), whose JSON columns are
// nested objects: they are flattened into one column per key, `params.lr`,
// `metrics.val_acc`, `budget.epochs`, so that a trial's parameters are columns a spreadsheet
// can sort by. Every row gets every column (empty where a row has no such key, such as an
// inactive conditional parameter). Arrays stay JSON text in one cell.
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rungs::report {

struct FlatTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // cells as text, one per column
};

// `rows` is a JSON array of objects. Top-level columns come in the order `order` names them,
// any others after them alphabetically (JSON objects do not keep an order); a nested column
// becomes its keys in sorted order, nested objects recursively. Every column of `order` is
// there even when no row has it (an empty table still has its header), as are the flat
// columns `known` lists for a column of `order` (e.g. "params" -> "params.lr", "params.momentum":
// the space's parameters, whether or not a row has them yet); a column with no flat names
// is one column of its own name.
FlatTable flatten_rows(const nlohmann::json& rows, const std::vector<std::string>& order = {},
                       const std::map<std::string, std::vector<std::string>>& known = {});

// One CSV field: quoted when it holds a comma, a double quote, CR or LF (RFC 4180 section 2),
// with double quotes doubled.
std::string csv_field(std::string_view text);

// Header line and rows, fields by csv_field, lines ended by LF (RFC 4180 asks for CRLF;
// Python's csv, pandas, R and spreadsheets read both, and Unix tools expect LF).
void write_csv(const FlatTable& table, std::ostream& out);

}  // namespace rungs::report
