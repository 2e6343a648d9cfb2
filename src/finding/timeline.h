// A host's findings as one time-ordered timeline of events, and the
// attacker summary drawn from it. Pure functions over plain values.
#pragma once

#include <vector>

#include "finding/finding.h"

namespace exhunt {

// `findings` in report order (FindingBefore): findings of the same record
// (same source) become one event.
std::vector<TimelineEvent> BuildTimeline(const std::vector<const Finding*>& findings);

// Values of the attacker keys over the events whose rules state an outcome.
AttackerSummary SummarizeAttackers(const std::vector<TimelineEvent>& events);

}  // namespace exhunt
