// Formats exposure assessments: a text block for people, a JSON object for
// the JSONL contract (standalone "exposure" records and inside "host").
#pragma once

#include <ostream>
#include <string>

#include "exposure/assessment.h"

namespace exhunt {

// The assessment as a JSON object without a "type" key.
std::string ExposureJsonBody(const ExposureAssessment& a, const ExposureTable& table);
void WriteExposureText(const ExposureAssessment& a, const ExposureTable& table, std::ostream& out,
                       const std::string& indent = "");
// True if any CVE is open: vulnerable, fixed in a later CU, or no fix.
bool IsExposed(const ExposureAssessment& a);

}  // namespace exhunt
