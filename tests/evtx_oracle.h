// The EVTX oracle of the tests: exhunt's decoder against libevtx's
// evtxexport, event by event, element by element.
#pragma once

#include <string>

namespace exhunt::testing {

// Decodes every EVTX file under `dir` with exhunt and with `evtxexport -f
// xml`, and records a test failure for every event that differs (see the
// .cc for what is compared). Prints what it compared.
void CompareWithEvtxexport(const std::string& dir);

}  // namespace exhunt::testing
