// SPDX-License-Identifier: MIT
//! Requests that complete later, on a 2D device: submit_tagged() answers at
//! once with the bytes submit() writes, nothing is in flight, there is no
//! poll fd and no deadline. (A virgl device's requests in flight: virgl.rs.)
mod common;

use std::io::IoSlice;

use common::{bytes_of, device, hdr, le32};
use virtgpu_mem::{renderer_available, sys, Queue, Renderer, Submitted};

fn fenced_display_info() -> Vec<u8> {
    let mut h = hdr(sys::VGM_GPU_CMD_GET_DISPLAY_INFO);
    h.flags = sys::VGM_GPU_FLAG_FENCE;
    h.fence_id = 9;
    bytes_of(&h)
}

#[test]
fn submit_tagged_on_a_2d_device_answers_at_once_with_the_bytes_of_submit() {
    let mut dev = device();
    let request = fenced_display_info();
    let mut waited = vec![0u8; 512];
    let n = dev.submit_bytes(Queue::Control, &request, &mut waited).unwrap();
    waited.truncate(n);
    let got = dev
        .submit_tagged(Queue::Control, &[IoSlice::new(&request)], vec![0xee; 512], 3)
        .unwrap();
    assert_eq!(got, Submitted::Answered(waited.clone()));
    assert_eq!(le32(&waited, 0), sys::VGM_GPU_RESP_OK_DISPLAY_INFO);
    assert_eq!(waited.len(), 408);
    assert_eq!(dev.host().fences, vec![(0, 9), (0, 9)]);
    assert!(dev.host().answers.is_empty()); // answered now: no request_done
    assert_eq!(dev.in_flight(), 0);
    assert_eq!(dev.poll_fd().unwrap(), None);
    assert_eq!(dev.next_poll().unwrap(), None);
    dev.poll().unwrap();
    assert!(dev.host().answers.is_empty());
}

#[test]
fn a_response_buffer_too_small_gets_what_fits() {
    let mut dev = device();
    let request = fenced_display_info();
    match dev.submit_tagged(Queue::Control, &[IoSlice::new(&request)], vec![0; 30], 1).unwrap() {
        Submitted::Answered(r) => {
            assert_eq!(r.len(), 30);
            assert_eq!(le32(&r, 0), sys::VGM_GPU_RESP_OK_DISPLAY_INFO);
        }
        other => panic!("expected an answer, got {:?}", other),
    }
}

#[test]
fn the_2d_renderer_is_always_available() {
    assert!(renderer_available(Renderer::TwoD).is_ok());
}
