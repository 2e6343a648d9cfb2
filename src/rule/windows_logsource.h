// What a Sigma logsource of product `windows` means in event logs: the
// channels (and, for categories, event IDs) its events come from, and the
// field names its rules use that those events spell otherwise (Security
// 4688 writes NewProcessName where process_creation rules say Image).
//
// The mapping follows the conventions of SigmaHQ's Windows rules (services
// name channels, categories name Sysmon events and their equivalents). A
// logsource it does not know is an error, never "every event": a rule the
// engine cannot place is refused by name at load time.
//
// Constant data; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "record/log_record.h"

namespace exhunt {

struct FieldAlias {
  std::string_view rule_name, event_name;
};

// One kind of event a logsource reads: a channel (empty: any), event IDs
// (empty: any), and the aliases its rules need.
struct WindowsEventSource {
  std::string_view channel;
  std::span<const uint32_t> event_ids;
  std::span<const FieldAlias> aliases;
};

// The event sources of a product-windows logsource; an error naming the
// service or category when exhunt does not know which events it means.
// Category "webserver" is IIS (a text log), not an event: empty result.
Result<std::vector<WindowsEventSource>> MapWindowsLogSource(std::string_view service, std::string_view category);

// The source `record` belongs to (by its Channel and EventID fields), or
// nullptr when it is none of `sources`.
const WindowsEventSource* FindEventSource(std::span<const WindowsEventSource> sources, const Record& record);

// A record seen through a source's aliases: a rule's name for a field reads
// the event's name for it.
class AliasedRecord final : public Record {
 public:
  AliasedRecord(const Record& inner, std::span<const FieldAlias> aliases) : inner_(inner), aliases_(aliases) {}
  std::optional<std::string_view> Field(std::string_view name) const override;
  std::string_view Raw() const override { return inner_.Raw(); }
  std::optional<TimeMs> Time() const override { return inner_.Time(); }

 private:
  const Record& inner_;
  std::span<const FieldAlias> aliases_;
};

}  // namespace exhunt
