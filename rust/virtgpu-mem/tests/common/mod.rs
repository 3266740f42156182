// SPDX-License-Identifier: MIT
//! What the tests share: a host with guest RAM in one buffer that records
//! what its callbacks saw, wire requests from the `sys` structs, a device.
#![allow(dead_code)] // each test program uses its own part

use std::mem::size_of;
use std::sync::atomic::{AtomicU8, Ordering};

use virtgpu_mem::{sys, Config, Device, GuestMap, Host, Pixels, Queue, Rect, Scanout};

pub const RAM_GPA: u64 = 0x10000;
pub const W: u32 = 32;
pub const H: u32 = 16;

/// Guest RAM in one host buffer, and what the callbacks saw.
#[derive(Default)]
pub struct TestHost {
    /// Guest RAM: leaked, so never freed or moved whatever is done with
    /// the host, and only shared (the library writes it).
    pub ram: &'static [AtomicU8],
    pub shown: Vec<(u32, u32, u32, u32, Vec<u8>)>,
    pub updates: Vec<Rect>,
    pub panic_in_update: bool,
    pub translates: usize,
    pub releases: usize,
    pub fences: Vec<(u32, u64)>,
    /// request_done(): the tag and the response.
    pub answers: Vec<(u64, Vec<u8>)>,
    /// request_done() of this tag panics.
    pub panic_tag: Option<u64>,
}

impl Host for TestHost {
    fn translate(&mut self, gpa: u64, len: u64) -> Result<GuestMap, i32> {
        let end = RAM_GPA + self.ram.len() as u64;
        if gpa < RAM_GPA || gpa >= end {
            return Err(14);
        }
        self.translates += 1;
        let off = (gpa - RAM_GPA) as usize;
        // SAFETY: ram lives for the rest of the process, at its place, and
        // Rust reaches it only through atomics.
        Ok(unsafe { GuestMap::new(self.ram[off..].as_ptr() as *mut u8, len.min(end - gpa)) })
    }

    fn release(&mut self, _map: &GuestMap) {
        self.releases += 1;
    }

    fn fence_done(&mut self, ctx_id: u32, _ring_idx: u8, fence_id: u64) {
        self.fences.push((ctx_id, fence_id));
    }

    fn scanout_set(&mut self, scanout: u32, px: &Pixels<'_>) {
        let copy = px.to_vec();
        assert_eq!(copy.len(), px.len());
        let mut head = [0u8; 8];
        assert_eq!(px.copy_to(&mut head), head.len().min(px.len()));
        assert_eq!(head[..copy.len().min(8)], copy[..copy.len().min(8)]);
        // SAFETY: nothing writes these tests' pixels during the callback.
        assert_eq!(unsafe { px.as_slice() }, &copy[..]);
        self.shown.push((scanout, px.width, px.height, px.fourcc, copy));
    }

    fn scanout_update(&mut self, _scanout: u32, rect: Rect) {
        if self.panic_in_update {
            panic!("update refused");
        }
        self.updates.push(rect);
    }

    fn request_done(&mut self, tag: u64, response: Vec<u8>) {
        if self.panic_tag == Some(tag) {
            panic!("answer refused");
        }
        self.answers.push((tag, response));
    }
}

pub fn bytes_of<T>(v: &T) -> Vec<u8> {
    // SAFETY: the protocol structs are plain little-endian data without
    // padding (protocol.h); the tests run on a little-endian host.
    unsafe { std::slice::from_raw_parts(v as *const T as *const u8, size_of::<T>()) }.to_vec()
}

pub fn hdr(type_: u32) -> sys::vgm_gpu_ctrl_hdr {
    sys::vgm_gpu_ctrl_hdr { type_, ..Default::default() }
}

pub fn rect() -> sys::vgm_gpu_rect {
    sys::vgm_gpu_rect { x: 0, y: 0, width: W, height: H }
}

/// The 32-bit number at byte offset `at` of a response.
pub fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

pub fn response_type<H: Host>(dev: &mut Device<H>, req: &[u8]) -> u32 {
    let mut resp = [0u8; 64];
    let n = dev.submit_bytes(Queue::Control, req, &mut resp).expect("submit");
    assert!(n >= 24);
    le32(&resp, 0)
}

/// What a driver sends to show a W x H B8G8R8X8 picture from RAM_GPA as
/// resource 1 on scanout 0: CREATE_2D, ATTACH_BACKING, TRANSFER_TO_HOST_2D,
/// SET_SCANOUT, RESOURCE_FLUSH.
pub fn picture_requests() -> Vec<Vec<u8>> {
    let create = sys::vgm_gpu_resource_create_2d {
        hdr: hdr(sys::VGM_GPU_CMD_RESOURCE_CREATE_2D),
        resource_id: 1,
        format: sys::VGM_GPU_FORMAT_B8G8R8X8_UNORM,
        width: W,
        height: H,
    };
    let attach = sys::vgm_gpu_resource_attach_backing {
        hdr: hdr(sys::VGM_GPU_CMD_RESOURCE_ATTACH_BACKING),
        resource_id: 1,
        nr_entries: 1,
    };
    let entry = sys::vgm_gpu_mem_entry { addr: RAM_GPA, length: W * H * 4, padding: 0 };
    let transfer = sys::vgm_gpu_transfer_to_host_2d {
        hdr: hdr(sys::VGM_GPU_CMD_TRANSFER_TO_HOST_2D),
        r: rect(),
        resource_id: 1,
        ..Default::default()
    };
    let set = sys::vgm_gpu_set_scanout {
        hdr: hdr(sys::VGM_GPU_CMD_SET_SCANOUT),
        r: rect(),
        scanout_id: 0,
        resource_id: 1,
    };
    let flush = sys::vgm_gpu_resource_flush {
        hdr: hdr(sys::VGM_GPU_CMD_RESOURCE_FLUSH),
        r: rect(),
        resource_id: 1,
        padding: 0,
    };
    let mut attach_bytes = bytes_of(&attach);
    attach_bytes.extend(bytes_of(&entry));
    vec![bytes_of(&create), attach_bytes, bytes_of(&transfer), bytes_of(&set), bytes_of(&flush)]
}

/// The bytes of the picture: (i % 251) at byte i.
pub fn picture() -> Vec<u8> {
    (0..(W * H * 4) as usize).map(|i| (i % 251) as u8).collect()
}

/// Guest RAM of these bytes, leaked (it lives until the process ends).
pub fn guest_ram(bytes: &[u8]) -> &'static [AtomicU8] {
    Box::leak(bytes.iter().map(|&b| AtomicU8::new(b)).collect())
}

/// Writes `bytes` into guest RAM at byte `at`.
pub fn write_ram(ram: &[AtomicU8], at: usize, bytes: &[u8]) {
    for (cell, &b) in ram[at..at + bytes.len()].iter().zip(bytes) {
        cell.store(b, Ordering::Relaxed);
    }
}

/// A host whose 64 KiB of RAM begin with picture().
pub fn host() -> TestHost {
    let ram = guest_ram(&[0u8; 64 * 1024]);
    write_ram(ram, 0, &picture());
    TestHost { ram, ..Default::default() }
}

/// A device of `config` (its scanouts: one of 640x480) with the features
/// it offers accepted.
pub fn device_with(config: Config) -> Device<TestHost> {
    let config = Config {
        scanouts: vec![Scanout { enabled: true, width: 640, height: 480 }],
        ..config
    };
    let mut dev = Device::new(&config, host()).expect("device");
    let offered = dev.offered_features().unwrap();
    dev.set_features(offered).unwrap();
    dev
}

pub fn device() -> Device<TestHost> {
    device_with(Config::default())
}
