#include "source/file_system.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "source/memory_file_system.h"

namespace exhunt {
namespace {

// A scratch folder under $TMPDIR, removed at the end.
struct TempDir {
  std::string path;
  TempDir() {
    std::string templ = (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + std::string("/exhunt-fs-XXXXXX");
    path = mkdtemp(templ.data());
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(path + "/" + rel, std::ios::binary) << text;
  }
};

TEST(PosixFileSystem, MapsReadOnlyAndLeavesTheFileAsItWas) {
  TempDir dir;
  dir.Write("a.log", "hello\nworld\n");
  struct stat before {};
  ASSERT_EQ(stat((dir.path + "/a.log").c_str(), &before), 0);
  auto fs = NewPosixFileSystem();
  {
    auto f = fs->Open(dir.path + "/a.log");
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_EQ(f.value()->bytes(), "hello\nworld\n");
    f.value()->WillRead(0, 12);
    f.value()->DoneWith(0, 12);
    EXPECT_EQ(f.value()->bytes(), "hello\nworld\n");  // pages dropped are read again
  }
  struct stat after {};
  ASSERT_EQ(stat((dir.path + "/a.log").c_str(), &after), 0);
  EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
  EXPECT_EQ(before.st_size, after.st_size);
}

TEST(PosixFileSystem, EmptyFilesMissingFilesAndFolders) {
  TempDir dir;
  dir.Write("empty.log", "");
  mkdir((dir.path + "/sub").c_str(), 0755);
  symlink("empty.log", (dir.path + "/link.log").c_str());
  auto fs = NewPosixFileSystem();
  auto empty = fs->Open(dir.path + "/empty.log");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value()->bytes().empty());
  auto missing = fs->Open(dir.path + "/missing.log");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.log"), std::string::npos);
  EXPECT_FALSE(fs->Open(dir.path + "/sub").ok());  // not a regular file
  std::vector<DirEntry> entries;
  ASSERT_TRUE(fs->List(dir.path, &entries).ok());
  std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_TRUE(entries[0].is_regular);                        // empty.log
  EXPECT_FALSE(entries[1].is_regular || entries[1].is_dir);  // link.log: neither
  EXPECT_TRUE(entries[2].is_dir);                            // sub
  EXPECT_FALSE(fs->List(dir.path + "/missing", &entries).ok());
  EXPECT_TRUE(fs->Stat(dir.path + "/sub")->is_dir);
}

TEST(MemoryFileSystem, FoldersExistAboveFiles) {
  MemoryFileSystem fs;
  fs.AddFile("/a/b/c.log", "x");
  std::vector<DirEntry> entries;
  ASSERT_TRUE(fs.List("/a", &entries).ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "b");
  EXPECT_TRUE(entries[0].is_dir);
  EXPECT_EQ(fs.Stat("/a/b/c.log")->size, 1u);
  EXPECT_FALSE(fs.Open("/a/b").ok());
}

TEST(FaultyFileSystem, UnreadableTruncatedAndVanishingFiles) {
  MemoryFileSystem mem;
  mem.AddFile("/r/a", "0123456789");
  mem.AddFile("/r/b", "0123456789");
  mem.AddFile("/r/c", "0123456789");
  FaultyFileSystem fs(&mem);
  fs.unreadable.insert("/r/a");
  fs.truncated.insert("/r/b");
  fs.vanishing.insert("/r/c");
  EXPECT_FALSE(fs.Open("/r/a").ok());
  EXPECT_EQ(fs.Open("/r/b").value()->bytes(), "01234");
  std::vector<DirEntry> entries;
  ASSERT_TRUE(fs.List("/r", &entries).ok());
  EXPECT_EQ(entries.size(), 3u);       // listed...
  EXPECT_FALSE(fs.Open("/r/c").ok());  // ...but gone when opened
}

TEST(JoinPath, NoDoubledSeparators) {
  EXPECT_EQ(JoinPath("/a/", "b"), "/a/b");
  EXPECT_EQ(JoinPath("/a", "b"), "/a/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
}

}  // namespace
}  // namespace exhunt
