// The YARA gate: which YARA rules could match a file at all, decided before
// libyara reads it, from one vectorscan pass over its bytes and what is
// known of it (size, header bytes, Loki's externals).
//
// exhunt reads every rule of a YARA file itself: each string gives the
// literals any match of it must hold (its atoms: the text with its ascii,
// wide and nocase forms, the longest runs of fixed bytes of a hex string,
// the literals a regex cannot match without; atoms of two or three bytes
// are searched by ShortLiterals, not vectorscan), and the condition is
// evaluated over three values (true, false, unknown): a string whose atoms
// are all absent from the file is false (its count 0), and so is one whose
// exact pattern (hex strings; regexes, in a form that matches at least what
// libyara does) is not in the file, searched where the atoms leave a rule
// undecided (kExactAfterFiles), filesize, uintN(k)
// and the externals are what libyara would see, and whatever exhunt does
// not evaluate (modules, loops over integers, offsets, xor and base64
// strings, a regex without a literal) is unknown. A rule is judged only in
// files that hold an atom of its strings, unless it may be true without
// them. A file is handed to libyara only with the public rules that are
// not false (and what they need: TextOf); false is only ever concluded
// where libyara could not match, so a gated scan reports exactly what a
// full one does (tests compare both on the corpora, with libyara given the
// chosen rules' text beside the whole set). A YARA file exhunt cannot read
// is always scanned.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace exhunt {

// What libyara is given for a file (YaraEngine::Scan sets the same).
struct YaraExternals {
  std::string_view filename, filepath, extension, filetype, md5, owner;
};

class YaraGate {
 public:
  // A rule of one of the sources (index in the order given to Build).
  struct RuleName {
    size_t source = 0;
    std::string rule;
  };
  struct Unread {
    size_t source = 0;
    std::string why;
  };
  struct Summary {
    size_t sources = 0, unread_sources = 0;  // unread: always scanned
    size_t rules = 0, strings = 0, atomless_strings = 0, atoms = 0;
    std::vector<Unread> unread;  // the first ten
    // Public rules that may match an empty file. While there is one (or an
    // unread source), no file can be spared and the gate compiles no
    // database.
    std::vector<RuleName> unconditional;
    // More atoms than kMaxAtoms: no database is compiled (see there).
    bool too_many_atoms = false;
    size_t common_atoms = 0;  // searched in every file (the others: see HeaderKey)
  };
  // Past this many atoms searched in every file the gate's compile (on
  // another core, while libyara compiles) is not worth risking: built-in
  // rules 87 atoms, 5 ms; signature-base 18,498, 0.73-1.0 s; and its pass
  // approaches libyara's own (signature-base on 500 ELF libraries of 356
  // MB, one thread: 1.47-1.59 s against 5.1-5.6 s; yara_gate_perftest).
  static constexpr size_t kMaxAtoms = 50000;
  // A rule whose atoms leave it undecided has the exact patterns of its
  // strings searched once that happened in this many files, or files of
  // this many bytes: compiling them costs 1-80 ms for hex strings, up to
  // 1.6 s for a wide regex with long repeats (signature-base's webshell
  // rules), what libyara spends on hundreds of MB with a chosen set; so
  // only rules met often, or in large files, pay it (on the file-plane
  // bench: the strider, log4j, Cobalt Strike rules, in 270-960 of 5,669
  // files). While one worker compiles, the others leave the rule
  // undecided. At most kMaxExactRulesPerFile are searched per file.
  static constexpr uint64_t kExactAfterFiles = 32;
  static constexpr uint64_t kExactAfterBytes = 64 << 20;
  static constexpr size_t kMaxExactRulesPerFile = 64;
  class Scratch;

  ~YaraGate();
  // Reads the YARA files `sources` (in the order of their namespaces) and
  // compiles one vectorscan database of their atoms (not where can_spare()
  // is false, unless `always_compile`: tests set it). Fails only if
  // vectorscan does.
  static Result<std::unique_ptr<YaraGate>> Build(std::span<const std::string_view> sources,
                                                 bool always_compile = false);

  Result<std::unique_ptr<Scratch>> NewScratch() const;
  // Whether the gate is worth asking: MayMatch can answer 0 and its
  // database is small enough to pay.
  bool can_spare() const {
    return summary_.unconditional.empty() && summary_.unread_sources == 0 && !summary_.too_many_atoms;
  }
  // Marks in `out` (one flag per source) the sources whose rules may match;
  // returns how many. `bytes` is the whole content libyara would scan.
  size_t MayMatch(Scratch& scratch, std::string_view bytes, const YaraExternals& ext, std::vector<char>* out) const;

  // The public rules that may match `bytes` (indices in the order read, as
  // TextOf() takes them). False where the gate cannot tell
  // (vectorscan failed, a source is unread): only a full scan decides.
  bool MayMatchRules(Scratch& scratch, std::string_view bytes, const YaraExternals& ext,
                     std::vector<uint32_t>* rules) const;
  // YARA text, per source (index, text; in source order), that holds
  // `rules` and what they need to compile and be judged as in their whole
  // source: the rules they name, however deep, the source's global rules,
  // its imports. libyara judges them there as in the whole set.
  std::vector<std::pair<size_t, std::string>> TextOf(std::span<const uint32_t> rules) const;

  // The public rules that may match ("source:rule"; "source:*" for an
  // unread source), for tests and for tuning.
  std::vector<std::string> RulesThatMayMatch(Scratch& scratch, std::string_view bytes, const YaraExternals& ext) const;

  const Summary& summary() const { return summary_; }

  struct Impl;  // the rules as read (yara_gate.cc)

 private:
  explicit YaraGate(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  Summary summary_;
};

class YaraGate::Scratch {
 public:
  ~Scratch();
  struct State;  // vectorscan's scratch and the file's answers (yara_gate.cc)

 private:
  friend class YaraGate;
  std::unique_ptr<State> state_;
};

}  // namespace exhunt
