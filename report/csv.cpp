#include "report/csv.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace rungs::report {

namespace {

// A scalar as a cell: strings as they are, numbers as JSON writes them (integers exactly,
// doubles in the shortest form that reads back to the same double), null as empty.
std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void flatten(const nlohmann::json& value, const std::string& name, std::map<std::string, std::string>& cells) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, inner] : value.items()) flatten(inner, name + "." + key, cells);
    return;
  }
  // An empty object (no parameters, no budget dimensions) has no columns to fill.
  if (value.is_object()) return;
  cells[name] = cell(value);
}

}  // namespace

FlatTable flatten_rows(const nlohmann::json& rows, const std::vector<std::string>& order,
                       const std::map<std::string, std::vector<std::string>>& known) {
  // Per top-level column, the flat names it expands to over all rows.
  std::map<std::string, std::set<std::string>> expanded;
  for (const auto& name : order) expanded[name];
  for (const auto& [name, flat] : known)
    if (std::find(order.begin(), order.end(), name) != order.end()) expanded[name].insert(flat.begin(), flat.end());
  std::vector<std::map<std::string, std::string>> flat_rows;
  for (const auto& row : rows) {
    std::map<std::string, std::string> cells;
    for (const auto& [key, value] : row.items()) {
      auto& names = expanded[key];
      // A null is an empty cell of whatever the column expands to (a run's `metrics` may be
      // null where others are objects): it adds no column of its own unless nothing else does.
      if (value.is_null()) continue;
      std::map<std::string, std::string> own;
      if (value.is_object()) {
        for (const auto& [inner_key, inner] : value.items()) flatten(inner, key + "." + inner_key, own);
      } else {
        own[key] = cell(value);
      }
      for (auto& [name, text] : own) {
        names.insert(name);
        cells[name] = std::move(text);
      }
    }
    flat_rows.push_back(std::move(cells));
  }
  for (auto& [name, flat] : expanded)
    if (flat.empty()) flat.insert(name);
  std::vector<std::string> top;
  for (const auto& name : order)
    if (expanded.count(name)) top.push_back(name);
  for (const auto& [name, flat] : expanded)  // a std::map: alphabetical
    if (std::find(order.begin(), order.end(), name) == order.end()) top.push_back(name);

  FlatTable table;
  for (const auto& name : top)
    for (const auto& flat : expanded[name]) table.columns.push_back(flat);
  for (const auto& cells : flat_rows) {
    std::vector<std::string> line;
    line.reserve(table.columns.size());
    for (const auto& column : table.columns) {
      const auto found = cells.find(column);
      line.push_back(found == cells.end() ? std::string() : found->second);
    }
    table.rows.push_back(std::move(line));
  }
  return table;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

void write_csv(const FlatTable& table, std::ostream& out) {
  auto line = [&out](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out << ',';
      out << csv_field(fields[i]);
    }
    out << '\n';
  };
  line(table.columns);
  for (const auto& row : table.rows) line(row);
}

}  // namespace rungs::report
