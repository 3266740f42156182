// SPDX-License-Identifier: MIT
//! Links libvirtgpu-mem: from $VIRTGPU_MEM_LIB_DIR (a directory holding
//! libvirtgpu-mem.so, e.g. a meson build's lib/), else where pkg-config
//! says, else wherever the linker looks. No crate is needed for that.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=VIRTGPU_MEM_LIB_DIR");
    if let Ok(dir) = env::var("VIRTGPU_MEM_LIB_DIR") {
        println!("cargo:rustc-link-search=native={}", dir);
    } else if let Ok(out) = Command::new("pkg-config")
        .args(["--libs-only-L", "virtgpu-mem"])
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        for dir in text.split_whitespace().filter_map(|w| w.strip_prefix("-L")) {
            println!("cargo:rustc-link-search=native={}", dir);
        }
    }
    println!("cargo:rustc-link-lib=dylib=virtgpu-mem");
}
