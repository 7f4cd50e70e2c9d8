// std::fs and std::io on files in the working directory: directories,
// whole-file and buffered reads and writes, seeks, truncation, renames,
// links, directory listings, recursive removal, and the errors of the
// common mistakes. Leaves work/ behind for the caller to compare.
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

// An error as "Kind: message". Rust 1.63 gives wasm32-wasi errnos a kind
// only for the common cases (NotFound, AlreadyExists, PermissionDenied,
// InvalidInput, ...); EISDIR, ENOTDIR, ENOTEMPTY are "Uncategorized"
// there but have their own (unstable) kinds on Linux. So those print the
// message, which is strerror's on both (wasi-libc, glibc), without the
// errno number (WASI numbers them differently).
fn err(e: &io::Error) -> String {
    use io::ErrorKind::*;
    let msg = e.to_string();
    let msg = match msg.find(" (os error") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    match e.kind() {
        k @ (NotFound | AlreadyExists | PermissionDenied | InvalidInput | InvalidData
        | UnexpectedEof | Unsupported) => format!("{:?}: {}", k, msg),
        _ => format!("error: {}", msg),
    }
}

fn show<T: std::fmt::Debug>(what: &str, r: io::Result<T>) {
    match r {
        Ok(v) => println!("{}: ok {:?}", what, v),
        Err(e) => println!("{}: {}", what, err(&e)),
    }
}

// name, type and size of each entry, sorted by name
fn list(dir: &str) -> io::Result<Vec<String>> {
    let mut v = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        let kind = if t.is_dir() { "dir" } else if t.is_file() { "file" } else { "other" };
        let len = if t.is_file() { e.metadata()?.len() } else { 0 };
        v.push(format!("{}:{}:{}", e.file_name().to_string_lossy(), kind, len));
    }
    v.sort();
    Ok(v)
}

fn main() -> io::Result<()> {
    fs::create_dir_all("work/a/b/c")?;
    fs::create_dir_all("work/a/b/c")?; // already there: fine
    fs::create_dir("work/empty")?;
    fs::write("work/a/hello.txt", "hello, wasi\n")?;
    let s = fs::read_to_string("work/a/hello.txt")?;
    let m = fs::metadata("work/a/hello.txt")?;
    println!("read {:?}, len {}, file {}, dir {}", s, m.len(), m.is_file(), m.is_dir());
    let mtime = m.modified()?;
    let age = SystemTime::now().duration_since(mtime).unwrap_or(Duration::ZERO);
    println!("modified within a day: {}", age < Duration::from_secs(86400));
    println!("work/a is dir: {}", fs::metadata("work/a")?.is_dir());

    // rename, then the old name is gone
    fs::rename("work/a/hello.txt", "work/a/b/renamed.txt")?;
    println!("old exists: {}, new exists: {}", Path::new("work/a/hello.txt").exists(), Path::new("work/a/b/renamed.txt").exists());
    // rename over an existing file replaces it
    fs::write("work/a/other.txt", "other")?;
    fs::rename("work/a/other.txt", "work/a/b/renamed.txt")?;
    println!("after replacing rename: {:?}", fs::read_to_string("work/a/b/renamed.txt")?);
    fs::rename("work/a/b/c", "work/a/c2")?; // a directory

    // append; create_new
    {
        let mut f = OpenOptions::new().append(true).open("work/a/b/renamed.txt")?;
        writeln!(f, " + appended")?;
        f.write_all(b"line 2\n")?;
        f.sync_all()?;
    }
    println!("appended: {:?}", fs::read_to_string("work/a/b/renamed.txt")?);
    show("create_new existing", OpenOptions::new().write(true).create_new(true).open("work/a/b/renamed.txt").map(|_| ()));
    show("create_new fresh", OpenOptions::new().write(true).create_new(true).open("work/new.txt").map(|_| ()));

    // the errors
    show("open missing", File::open("work/missing.txt").map(|_| ()));
    show("read missing", fs::read("missing/deeper/x"));
    show("metadata missing", fs::metadata("work/nope").map(|m| m.len()));
    show("create_dir existing", fs::create_dir("work/a"));
    show("create_dir no parent", fs::create_dir("work/x/y"));
    show("remove_dir not empty", fs::remove_dir("work/a"));
    show("remove_file missing", fs::remove_file("work/none"));
    show("read_dir missing", fs::read_dir("work/none").map(|_| ()));
    show("read_dir of a file", fs::read_dir("work/new.txt").map(|_| ()));
    show("file as a directory", File::open("work/new.txt/x").map(|_| ()));
    // Linux's read(2) says EISDIR; WASI runtimes (wasmtime, ferry) say
    // EBADF for fd_read on a directory: compare only that it fails.
    println!("read_to_string of a directory fails: {}", fs::read_to_string("work/a").is_err());
    show("remove_file of a directory", fs::remove_file("work/empty"));
    show("invalid UTF-8 as string", {
        fs::write("work/latin1.txt", b"caf\xe9\n")?;
        fs::read_to_string("work/latin1.txt")
    });
    show("read_link of a file", fs::read_link("work/new.txt"));

    // read, write, seek in one handle; holes; truncate and extend
    {
        let mut f = OpenOptions::new().read(true).write(true).create(true).truncate(true).open("work/rw.bin")?;
        f.write_all(b"0123456789abcdef")?;
        f.seek(SeekFrom::Start(4))?;
        f.write_all(b"WXYZ")?;
        let end = f.seek(SeekFrom::End(-3))?;
        let mut tail = String::new();
        f.read_to_string(&mut tail)?;
        println!("end-3 at {}, tail {:?}", end, tail);
        let mut buf = [0u8; 4];
        let n = f.read(&mut buf)?;
        println!("read at EOF: {}", n);
        f.seek(SeekFrom::Start(100))?;
        f.write_all(b"!")?; // a hole from 16 to 100
        println!("len after write at 100: {}", f.metadata()?.len());
        f.rewind()?;
        let mut all = Vec::new();
        f.read_to_end(&mut all)?;
        println!("bytes {} zeros {} head {:?}", all.len(), all.iter().filter(|&&b| b == 0).count(), String::from_utf8_lossy(&all[..16]));
        f.set_len(10)?;
        println!("after set_len(10): {}", f.metadata()?.len());
        f.set_len(20)?;
        f.seek(SeekFrom::Current(0))?;
        let pos = f.stream_position()?;
        println!("after set_len(20): {}, position {}", f.metadata()?.len(), pos);
    }
    println!("rw.bin: {:?}", fs::read("work/rw.bin")?);

    // a megabyte through BufWriter and back through BufReader
    {
        let mut w = BufWriter::new(File::create("work/big.txt")?);
        for i in 0..20000u32 {
            writeln!(w, "{:05} {}", i, "xyz".repeat((i % 13) as usize))?;
        }
        w.flush()?;
    }
    let r = BufReader::new(File::open("work/big.txt")?);
    let (mut lines, mut sum, mut chars) = (0u32, 0u64, 0usize);
    for line in r.lines() {
        let line = line?;
        lines += 1;
        sum += line[..5].parse::<u64>().unwrap();
        chars += line.len();
    }
    println!("big.txt: {} bytes, {} lines, sum {}, chars {}", fs::metadata("work/big.txt")?.len(), lines, sum, chars);
    let copied = fs::copy("work/big.txt", "work/a/c2/copy.txt")?;
    println!("copied {} bytes, equal {}", copied, fs::read("work/big.txt")? == fs::read("work/a/c2/copy.txt")?);
    fs::remove_file("work/big.txt")?;

    // a hard link shares the data
    fs::hard_link("work/new.txt", "work/link.txt")?;
    fs::write("work/new.txt", "through the first name\n")?;
    println!("through the link: {:?}", fs::read_to_string("work/link.txt")?);
    fs::remove_file("work/new.txt")?;
    println!("link after removing new.txt: {:?}", fs::read_to_string("work/link.txt")?);

    // file names that are not ASCII
    fs::write("work/ünïcödé ✓.txt", "ü")?;
    println!("unicode name: {:?}", fs::read_to_string("work/ünïcödé ✓.txt")?);

    // a tree, listed and removed
    for i in 0..5 {
        fs::create_dir_all(format!("work/tree/d{}/e", i))?;
        for j in 0..3 {
            fs::write(format!("work/tree/d{}/f{}.txt", i, j), format!("{} {}\n", i, j))?;
        }
    }
    println!("tree: {:?}", list("work/tree")?);
    println!("tree/d0: {:?}", list("work/tree/d0")?);
    fs::remove_dir_all("work/tree")?;
    println!("tree exists after remove_dir_all: {}", Path::new("work/tree").exists());
    fs::remove_dir("work/empty")?;

    println!("work: {:?}", list("work")?);
    println!("work/a: {:?}", list("work/a")?);
    println!("work/a/b: {:?}", list("work/a/b")?);
    println!("work/a/c2: {:?}", list("work/a/c2")?);
    Ok(())
}
