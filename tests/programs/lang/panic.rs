// A panic: on wasm32-wasi Rust panics abort (a trap: ferry exits 134), on
// Linux they unwind and exit 101. The output before it and the panic
// message on stderr are the same. And endless recursion, which must end
// in a trap on wasm (134) as natively in SIGABRT (134, "has overflowed its
// stack"): "overflow" with small frames (wasm's own call stack), "frames"
// with big ones (the shadow stack in linear memory, below address 0 as
// rustc links with --stack-first).
// usage: panic explicit|index|divide|unwrap|overflow|frames|none
use std::io::Write;

// an opaque copy, so that the recursion stays one (std::hint::black_box
// is not stable in Rust 1.63)
fn opaque<T: Copy>(x: T) -> T {
    unsafe { std::ptr::read_volatile(&x) }
}

#[inline(never)]
fn small(n: u64) -> u64 {
    if opaque(n) == u64::MAX {
        return 0;
    }
    let r = small(opaque(n + 1));
    opaque(r) ^ n
}

#[inline(never)]
fn big(n: u64) -> u64 {
    let a = opaque([n; 64]);
    if n == u64::MAX {
        return 0;
    }
    let r = big(n + 1);
    opaque(r) ^ a[n as usize % 64]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let how = args.get(1).map(String::as_str).unwrap_or("explicit");
    let v: Vec<u32> = (1..=5).map(|i| i * i).collect();
    let mut sum = 0;
    for x in &v {
        sum += x;
        println!("partial sum {}", sum);
    }
    print!("no newline yet, ");
    std::io::stdout().flush().unwrap();
    println!("flushed");
    let zero = args.len() as u32 - 2; // 0 with one argument
    match how {
        "explicit" => panic!("explicit panic with {} and {:?}", sum, "text"),
        "index" => println!("{}", v[args.len() + 8]),
        "divide" => println!("{}", sum / zero),
        "unwrap" => {
            let r: Result<u32, String> = Err("bad value".into());
            println!("{}", r.unwrap());
        }
        "overflow" => println!("{}", small(zero as u64)),
        "frames" => println!("{}", big(zero as u64)),
        _ => println!("no panic"),
    }
    println!("not reached unless none");
}
