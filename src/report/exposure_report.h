// Formats exposure assessments: a text block for people, a JSON object for
// the JSONL contract (standalone "exposure" records and inside "host").
// Build names come resolved in the assessment: no table is needed here.
#pragma once

#include <ostream>
#include <string>

#include "base/json_writer.h"
#include "exposure/assessment.h"

namespace exhunt {

// Writes the assessment's members into an object the caller has begun.
void WriteExposureMembers(const ExposureAssessment& a, JsonWriter& w);
void WriteExposureText(const ExposureAssessment& a, std::ostream& out, const std::string& indent = "");
// True if any CVE is open (IsOpen).
bool IsExposed(const ExposureAssessment& a);
// The exposure in one line, first word the answer: "OPEN: CVE-2021-34473,
// ... — install KB5001779 (15.1.2176.12) or later", "PATCHED: ...",
// "NOT PROVEN: ...", "UNKNOWN: ...".
std::string ExposureAnswer(const ExposureAssessment& a);

}  // namespace exhunt
