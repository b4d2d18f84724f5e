#pragma once
// What a function prints on a FILE*, as a string (status tables are printed, not returned).
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

namespace rungs::testing {

inline std::string capture(const std::function<void(std::FILE*)>& print) {
  std::FILE* file = std::tmpfile();
  if (!file) throw std::runtime_error("tmpfile failed");
  print(file);
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  std::fclose(file);
  return text;
}

}  // namespace rungs::testing
