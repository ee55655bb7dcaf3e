#include "exec/sandbox/channel.h"

#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace exec::sandbox {
namespace {
constexpr size_t k_header = 3;  // type, then the payload length (16 bits, little-endian)
}

void write_record(int fd, RecordType type, std::string_view payload) {
  char buf[PIPE_BUF];
  size_t n = std::min(payload.size(), sizeof buf - k_header);
  buf[0] = static_cast<char>(type);
  buf[1] = static_cast<char>(n & 0xff);
  buf[2] = static_cast<char>(n >> 8);
  std::memcpy(buf + k_header, payload.data(), n);
  while (::write(fd, buf, k_header + n) < 0 && errno == EINTR) {
  }
}

void RecordReader::feed(std::string_view data) {
  m_buffer.append(data);
  size_t pos = 0;
  while (m_buffer.size() - pos >= k_header) {
    size_t n = static_cast<unsigned char>(m_buffer[pos + 1]) | (static_cast<size_t>(static_cast<unsigned char>(m_buffer[pos + 2])) << 8);
    if (m_buffer.size() - pos - k_header < n) break;
    m_records.push_back(Record{static_cast<RecordType>(m_buffer[pos]), m_buffer.substr(pos + k_header, n)});
    pos += k_header + n;
  }
  m_buffer.erase(0, pos);
}

std::vector<Record> RecordReader::take() { return std::exchange(m_records, {}); }

}  // namespace exec::sandbox
