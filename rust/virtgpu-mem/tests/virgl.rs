// SPDX-License-Identifier: MIT
//! A virgl device through the safe wrapper: a fenced SUBMIT_3D that clears
//! a resource is in flight after submit_tagged(), answered through poll()
//! (fence_done, then request_done with the response buffer), and the
//! resource shows the colour; a panic in request_done comes out of poll();
//! reset() answers what is in flight. One test: one virgl device per
//! process. Where virgl cannot run it says why and passes.
mod common;

use std::io::IoSlice;
use std::time::{Duration, Instant};

use common::{bytes_of, device_with, hdr, le32, response_type, TestHost, RAM_GPA, H, W};
use virtgpu_mem::{renderer_available, sys, Config, Device, Error, Queue, Renderer, Submitted};

const CTX: u32 = 1;
const RES: u32 = 5;

fn ctx_hdr(type_: u32) -> sys::vgm_gpu_ctrl_hdr {
    sys::vgm_gpu_ctrl_hdr { ctx_id: CTX, ..hdr(type_) }
}

/// Context CTX with resource RES (W x H, B8G8R8A8, backed) attached.
fn context_with_resource(dev: &mut Device<TestHost>) {
    let mut create_ctx = sys::vgm_gpu_ctx_create {
        hdr: ctx_hdr(sys::VGM_GPU_CMD_CTX_CREATE),
        nlen: 4,
        ..Default::default()
    };
    for (d, s) in create_ctx.debug_name.iter_mut().zip(b"test") {
        *d = *s as _;
    }
    let create = sys::vgm_gpu_resource_create_2d {
        hdr: hdr(sys::VGM_GPU_CMD_RESOURCE_CREATE_2D),
        resource_id: RES,
        format: sys::VGM_GPU_FORMAT_B8G8R8A8_UNORM,
        width: W,
        height: H,
    };
    let attach = sys::vgm_gpu_resource_attach_backing {
        hdr: hdr(sys::VGM_GPU_CMD_RESOURCE_ATTACH_BACKING),
        resource_id: RES,
        nr_entries: 1,
    };
    let mut attach_bytes = bytes_of(&attach);
    attach_bytes.extend(bytes_of(&sys::vgm_gpu_mem_entry {
        addr: RAM_GPA,
        length: W * H * 4,
        padding: 0,
    }));
    let attach_ctx = sys::vgm_gpu_ctx_resource {
        hdr: ctx_hdr(sys::VGM_GPU_CMD_CTX_ATTACH_RESOURCE),
        resource_id: RES,
        padding: 0,
    };
    for req in [bytes_of(&create_ctx), bytes_of(&create), attach_bytes, bytes_of(&attach_ctx)] {
        assert_eq!(response_type(dev, &req), sys::VGM_GPU_RESP_OK_NODATA);
    }
}

/// A fenced SUBMIT_3D of virgl commands (virgl_protocol.h) that clear RES
/// to green: a surface of it (B8G8R8A8 is virgl format 1), the
/// framebuffer, a clear of colour buffer 0.
fn clear_green(fence: u64) -> Vec<u8> {
    let cmd = |number: u32, obj: u32, len: u32| number | obj << 8 | len << 16;
    let mut words = vec![cmd(1, 8, 5), 20, RES, 1, 0, 0];
    words.extend([cmd(5, 0, 3), 1, 0, 20]);
    words.extend([cmd(7, 0, 8), 1 << 2]);
    words.extend([0.0f32, 1.0, 0.0, 1.0].iter().map(|c| c.to_bits()));
    words.extend([0, 0, 0]);
    let submit = sys::vgm_gpu_cmd_submit {
        hdr: sys::vgm_gpu_ctrl_hdr {
            flags: sys::VGM_GPU_FLAG_FENCE,
            fence_id: fence,
            ..ctx_hdr(sys::VGM_GPU_CMD_SUBMIT_3D)
        },
        size: (words.len() * 4) as u32,
        padding: 0,
    };
    let mut bytes = bytes_of(&submit);
    bytes.extend(words.iter().flat_map(|w| w.to_le_bytes()));
    bytes
}

fn submit_tagged(dev: &mut Device<TestHost>, request: &[u8], tag: u64) -> Submitted {
    dev.submit_tagged(Queue::Control, &[IoSlice::new(request)], vec![0; 64], tag).unwrap()
}

/// Polls until nothing is in flight (at most 10 s); the first error.
fn poll_until_answered(dev: &mut Device<TestHost>) -> Result<(), Error> {
    let give_up = Instant::now() + Duration::from_secs(10);
    while dev.in_flight() > 0 {
        assert!(Instant::now() < give_up, "not answered in 10 s");
        assert!(dev.next_poll().unwrap().is_some());
        std::thread::sleep(Duration::from_millis(1));
        dev.poll()?;
    }
    Ok(())
}

#[test]
fn a_fenced_3d_request_is_answered_through_poll() {
    if let Err(e) = renderer_available(Renderer::Virgl) {
        eprintln!("skipped: renderer virgl not available here: {}", e);
        return;
    }
    let config = Config {
        renderer: Renderer::Virgl,
        renderer_flags: sys::VGM_VIRGL_THREAD_SYNC,
        ..Default::default()
    };
    let mut dev = device_with(config);
    assert!(dev.poll_fd().unwrap().is_some());
    context_with_resource(&mut dev);

    assert_eq!(submit_tagged(&mut dev, &clear_green(7), 42), Submitted::InFlight);
    assert_eq!(dev.in_flight(), 1);
    assert!(dev.host().answers.is_empty() && dev.host().fences.is_empty());
    assert_ne!(dev.can_save().unwrap() & sys::vgm_save_blocker_VGM_SAVE_BLOCKED_IN_FLIGHT, 0);
    poll_until_answered(&mut dev).unwrap();
    assert_eq!(dev.host().fences, vec![(CTX, 7)]);
    let (tag, response) = dev.host().answers.pop().unwrap();
    assert_eq!((tag, response.len()), (42, 24));
    assert_eq!(le32(&response, 0), sys::VGM_GPU_RESP_OK_NODATA);
    assert_eq!(response[8], 7); // the fence echoed
    assert_eq!(dev.next_poll().unwrap(), None);

    // What the context drew, shown on scanout 0 (bytes B, G, R, A).
    let rect = sys::vgm_gpu_rect { x: 0, y: 0, width: W, height: H };
    let set = sys::vgm_gpu_set_scanout {
        hdr: hdr(sys::VGM_GPU_CMD_SET_SCANOUT),
        r: rect,
        scanout_id: 0,
        resource_id: RES,
    };
    let flush = sys::vgm_gpu_resource_flush {
        hdr: hdr(sys::VGM_GPU_CMD_RESOURCE_FLUSH),
        r: rect,
        resource_id: RES,
        padding: 0,
    };
    for req in [bytes_of(&set), bytes_of(&flush)] {
        assert_eq!(response_type(&mut dev, &req), sys::VGM_GPU_RESP_OK_NODATA);
    }
    let mut shown = vec![0u8; (W * H * 4) as usize];
    dev.read_scanout(0, u32::from_le_bytes(*b"AR24"), &mut shown, W * 4).unwrap();
    assert_eq!(shown, [0x00, 0xff, 0x00, 0xff].repeat((W * H) as usize));

    // A panic in request_done comes out of the poll that answered.
    dev.host().panic_tag = Some(43);
    assert_eq!(submit_tagged(&mut dev, &clear_green(8), 43), Submitted::InFlight);
    match poll_until_answered(&mut dev) {
        Err(Error::Panic(msg)) => assert_eq!(msg, "answer refused"),
        other => panic!("expected the panic, got {:?}", other),
    }
    assert_eq!(dev.in_flight(), 0);

    // reset() answers what is in flight: ERR_UNSPEC, no fence_done.
    let fences = dev.host().fences.len();
    assert_eq!(submit_tagged(&mut dev, &clear_green(9), 44), Submitted::InFlight);
    dev.reset().unwrap();
    let (tag, response) = dev.host().answers.pop().unwrap();
    assert_eq!((tag, le32(&response, 0), response[8]), (44, sys::VGM_GPU_RESP_ERR_UNSPEC, 9));
    assert_eq!(dev.host().fences.len(), fences);
    assert_eq!(dev.in_flight(), 0);
}
