// Arguments, environment variables, standard input and the exit status
// through Rust's std (std::env, std::io::stdin, std::process::exit).
// usage: env [ARGS...]; an argument exit=N makes it exit with status N.
// Reads standard input to its end, line by line.
use std::env;
use std::io::{self, BufRead, Write};
use std::process;

// FNV-1a, 64-bit: a checksum of everything read.
fn fnv(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

fn main() {
    // argv[0] is the program's name, which differs between runners
    let args: Vec<String> = env::args().skip(1).collect();
    println!("argc {}", args.len());
    for (i, a) in args.iter().enumerate() {
        println!(
            "arg {} {:?} ({} bytes, {} chars)",
            i,
            a,
            a.len(),
            a.chars().count()
        );
    }

    // The whole environment, sorted: every runner gives exactly the
    // variables it was told to.
    let mut vars: Vec<(String, String)> = env::vars().collect();
    vars.sort();
    println!("{} variables", vars.len());
    for (k, v) in &vars {
        println!("env {}={:?}", k, v);
    }
    println!("LT_NAME: {:?}", env::var("LT_NAME"));
    println!("LT_MISSING: {:?}", env::var("LT_MISSING"));
    println!("LT_EMPTY (os): {:?}", env::var_os("LT_EMPTY"));
    env::set_var("LT_SET", "x=y");
    env::remove_var("LT_NAME");
    println!(
        "after set/remove: LT_SET={:?} LT_NAME={:?}",
        env::var("LT_SET"),
        env::var("LT_NAME")
    );

    // Standard input: every line, with statistics; the first few lines
    // echoed with their words reversed.
    let stdin = io::stdin();
    let (mut lines, mut words, mut bytes, mut longest) = (0usize, 0usize, 0usize, 0usize);
    let mut crlf = 0;
    let mut numbers: i64 = 0;
    let mut h = 0xcbf29ce484222325u64;
    let mut input = stdin.lock();
    let mut buf = String::new();
    loop {
        buf.clear();
        match input.read_line(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                // invalid UTF-8 ends the loop on every platform alike
                println!("stdin error after {} lines: {:?}", lines, e.kind());
                break;
            }
        }
        // read_line keeps the line's end: count "\r\n", then drop it
        if buf.ends_with("\r\n") {
            crlf += 1;
        }
        let line = buf.trim_end_matches(|c| c == '\n' || c == '\r');
        lines += 1;
        bytes += buf.len();
        h = fnv(h, line.as_bytes());
        longest = longest.max(line.chars().count());
        for w in line.split_whitespace() {
            words += 1;
            if let Ok(n) = w.parse::<i64>() {
                numbers += n;
            }
        }
        if lines <= 4 {
            let rev: Vec<&str> = line.split_whitespace().rev().collect();
            println!("line {}: {}", lines, rev.join(" "));
        }
    }
    println!(
        "stdin: {} lines, {} words, {} bytes, longest {} chars, {} CRLF, sum of numbers {}, fnv {:016x}",
        lines, words, bytes, longest, crlf, numbers, h
    );

    let code = args
        .iter()
        .find_map(|a| a.strip_prefix("exit="))
        .map(|c| c.parse::<i32>().expect("exit=N"))
        .unwrap_or(0);
    println!("exiting with {}", code);
    io::stdout().flush().unwrap();
    process::exit(code);
}
