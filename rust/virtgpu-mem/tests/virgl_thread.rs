// SPDX-License-Identifier: MIT
//! A virgl device belongs to the thread that made it: the library refuses
//! to destroy it from another one (-EBUSY, silently) and the device lives
//! on. Device::close() from another thread says so (Errno(EBUSY)) and gives
//! the device back, which its own thread then closes; dropped on another
//! thread, the device is leaked with what the library still points into
//! (the host, the response buffers in flight), never freed under it. Its
//! own program: a leaked virgl device takes the process's one virgl slot.
//! Where virgl cannot run it says why and passes.
mod common;

use std::io::IoSlice;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use common::{bytes_of, hdr};
use virtgpu_mem::{renderer_available, sys, Config, Device, Error, GuestMap, Host, Queue, Renderer, Submitted};

const EBUSY: i32 = 16;

/// A host without guest RAM that says when it is dropped.
struct Vmm {
    dropped: Arc<AtomicBool>,
}

impl Host for Vmm {
    fn translate(&mut self, _gpa: u64, _len: u64) -> Result<GuestMap, i32> {
        Err(14)
    }
}

impl Drop for Vmm {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// A virgl device with a fenced SUBMIT_3D in flight (the library holds its
/// response buffer), and the flag its host sets when dropped.
fn busy_device() -> (Device<Vmm>, Arc<AtomicBool>) {
    let dropped = Arc::new(AtomicBool::new(false));
    let config = Config { renderer: Renderer::Virgl, ..Default::default() };
    let mut dev = Device::new(&config, Vmm { dropped: dropped.clone() }).expect("virgl device");
    let offered = dev.offered_features().unwrap();
    dev.set_features(offered).unwrap();
    let ctx_hdr = |type_| sys::vgm_gpu_ctrl_hdr { ctx_id: 1, ..hdr(type_) };
    let create = sys::vgm_gpu_ctx_create { hdr: ctx_hdr(sys::VGM_GPU_CMD_CTX_CREATE), ..Default::default() };
    let mut response = [0u8; 24];
    dev.submit_bytes(Queue::Control, &bytes_of(&create), &mut response).unwrap();
    assert_eq!(response[..4], sys::VGM_GPU_RESP_OK_NODATA.to_le_bytes());
    let submit = sys::vgm_gpu_cmd_submit {
        hdr: sys::vgm_gpu_ctrl_hdr {
            flags: sys::VGM_GPU_FLAG_FENCE,
            fence_id: 1,
            ..ctx_hdr(sys::VGM_GPU_CMD_SUBMIT_3D)
        },
        ..Default::default()
    };
    let now = dev.submit_tagged(Queue::Control, &[IoSlice::new(&bytes_of(&submit))], vec![0; 24], 1);
    assert_eq!(now.unwrap(), Submitted::InFlight);
    (dev, dropped)
}

#[test]
fn a_virgl_device_is_destroyed_on_its_own_thread_only() {
    if let Err(e) = renderer_available(Renderer::Virgl) {
        eprintln!("skipped: renderer virgl not available here: {}", e);
        return;
    }
    // close() on another thread: refused, the device given back, and its
    // calls there fail the same way; on its own thread it closes.
    let (dev, dropped) = busy_device();
    let mut dev = thread::spawn(move || {
        let mut dev = dev;
        assert!(matches!(dev.offered_features(), Err(Error::Errno(EBUSY))));
        match dev.close() {
            Err((dev, Error::Errno(EBUSY))) => dev,
            other => panic!("expected Errno(EBUSY) and the device, got {:?}", other),
        }
    })
    .join()
    .unwrap();
    assert!(!dropped.load(Ordering::SeqCst));
    assert_eq!(dev.in_flight(), 1);
    dev.offered_features().unwrap();
    dev.close().unwrap();
    assert!(dropped.load(Ordering::SeqCst));
    renderer_available(Renderer::Virgl).expect("the virgl device destroyed");

    // Dropped on another thread: the library keeps the device, so the
    // wrapper keeps what it points into: the host is never dropped, and
    // the process's virgl device stays taken.
    let (dev, dropped) = busy_device();
    thread::spawn(move || drop(dev)).join().unwrap();
    assert!(!dropped.load(Ordering::SeqCst), "the host was freed under a live virgl device");
    assert!(matches!(renderer_available(Renderer::Virgl), Err(Error::Errno(EBUSY))));
}
