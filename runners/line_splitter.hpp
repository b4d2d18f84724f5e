#pragma once
// Splits a byte stream (a trial's stdout, read in chunks of any size) into lines, with a cap
// on a line's length. Pure: no I/O, no clock; the runner and the output follower feed it what
// they read. Unit-tested in tests/runners/line_splitter_test.cpp.
//
// Contract:
//  - feed() may be given any split of the stream; the lines and offsets delivered do not
//    depend on how it was split.
//  - A line is delivered without its '\n' and without one trailing '\r' (CRLF output).
//  - A line longer than max_line_bytes is delivered truncated to max_line_bytes as soon as
//    that many bytes are in; the rest of it, up to and including its '\n', is dropped.
//  - finish() delivers a last line that has no '\n' (not the dropped rest of a truncated one).
//  - Each line comes with `end`: the stream offset just past what the line consumed (past its
//    '\n'; for a truncated line, past its last delivered byte; at finish(), the stream's end).
//    Offsets count from the `start` given at construction, so a caller that records the `end`
//    of the last line it handled can later follow the same file from there and get exactly
//    the lines after it.
//  - The callback returns true to go on; false stops the current feed() at once (the caller
//    is going away): the splitter must not be used afterwards.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rungs::runners {

class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line_bytes, std::uint64_t start = 0)
      : max_(max_line_bytes == 0 ? 1 : max_line_bytes), offset_(start) {}

  // on_line(std::string_view line, std::uint64_t end) -> bool
  template <class OnLine>
  bool feed(std::string_view data, OnLine&& on_line) {
    while (!data.empty()) {
      const auto newline = data.find('\n');
      const std::uint64_t piece_start = offset_;
      if (newline == std::string_view::npos) {
        offset_ += data.size();
        return append(data, piece_start, on_line);
      }
      const auto piece = data.substr(0, newline);
      data.remove_prefix(newline + 1);
      offset_ += newline + 1;
      if (partial_.empty() && !discarding_ && piece.size() <= max_) {
        if (!on_line(strip_cr(piece), offset_)) {  // common case: no copy
          return false;
        }
        continue;
      }
      if (!append(piece, piece_start, on_line)) {
        return false;
      }
      if (!discarding_) {
        partial_.swap(line_);
        partial_.clear();
        if (!on_line(strip_cr(line_), offset_)) {
          return false;
        }
      }
      partial_.clear();
      discarding_ = false;
    }
    return true;
  }

  // Delivers a last line without a newline, if any. Returns what the callback returned (true
  // when nothing was delivered).
  template <class OnLine>
  bool finish(OnLine&& on_line) {
    bool go_on = true;
    if (!partial_.empty() && !discarding_) {
      partial_.swap(line_);
      partial_.clear();
      go_on = on_line(strip_cr(line_), offset_);
    }
    partial_.clear();
    discarding_ = false;
    return go_on;
  }

  // Bytes consumed so far, as a stream offset (start + everything fed).
  std::uint64_t offset() const { return offset_; }
  // Whether bytes of an unfinished line are held (or being dropped).
  bool inside_line() const { return !partial_.empty() || discarding_; }

 private:
  static std::string_view strip_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    return line;
  }

  // Adds a piece of the current line (no '\n' in it) that starts at stream offset `start`,
  // delivering the line truncated when it reaches the cap.
  template <class OnLine>
  bool append(std::string_view piece, std::uint64_t start, OnLine& on_line) {
    if (discarding_) {
      return true;
    }
    const std::size_t room = max_ - partial_.size();
    if (piece.size() <= room) {
      partial_.append(piece);
      return true;
    }
    partial_.append(piece.substr(0, room));
    discarding_ = true;
    partial_.swap(line_);
    partial_.clear();
    return on_line(strip_cr(line_), start + room);
  }

  std::size_t max_;
  std::uint64_t offset_;
  std::string partial_;      // the start of an unfinished line
  std::string line_;         // the line being delivered (keeps its buffer between lines)
  bool discarding_ = false;  // inside an overlong line, already delivered truncated
};

}  // namespace rungs::runners
