#pragma once
// The control channel from the sandbox's child processes to the parent: one
// CLOEXEC pipe carrying small typed records. Each record goes out in one
// write() of at most PIPE_BUF bytes, so records from the two child processes
// never interleave. The pipe reaches EOF once the middle process has
// reported how the step ended (or died), since the step's own copy closes at
// execve.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace exec::sandbox {

enum class RecordType : uint8_t {
  pid = 'P',      // the step's host pid (decimal)
  status = 'S',   // "x<code>" exited, "s<signal>" killed
  created = 'C',  // a mount point the sandbox created, relative to the root
  error = 'E',    // "<phase>\0<message>": set-up failed
};

struct Record {
  RecordType type;
  std::string payload;
};

// Writes one record; payloads longer than a pipe's atomic size are cut.
// Errors are ignored: a child that cannot report has nobody to tell.
void write_record(int fd, RecordType type, std::string_view payload);

// Reassembles records from the bytes read off the pipe.
class RecordReader {
 public:
  void feed(std::string_view data);
  // Records completed so far, in order; clears them.
  std::vector<Record> take();

 private:
  std::string m_buffer;
  std::vector<Record> m_records;
};

}  // namespace exec::sandbox
