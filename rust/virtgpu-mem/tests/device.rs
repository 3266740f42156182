// SPDX-License-Identifier: MIT
//! A device driven through the safe wrapper: GET_DISPLAY_INFO, then a
//! picture shown (CREATE_2D, ATTACH_BACKING, TRANSFER_TO_HOST_2D,
//! SET_SCANOUT, FLUSH) with scanout_set seeing its pixels, and the same
//! picture with each request hinted first; a panicking callback surfaced
//! as an error; Send but not Sync; the mapped RAM alive when the host is
//! replaced.
mod common;

use std::io::IoSlice;
use std::mem::size_of;

use common::{bytes_of, device, hdr, picture, picture_requests, response_type, H, W};
use virtgpu_mem::{sys, Device, Error, Queue, Rect};

#[test]
fn display_info_answers_the_configured_display() {
    let mut dev = device();
    let mut resp = vec![0u8; 512];
    let n = dev
        .submit_bytes(Queue::Control, &bytes_of(&hdr(sys::VGM_GPU_CMD_GET_DISPLAY_INFO)), &mut resp)
        .unwrap();
    assert_eq!(n, size_of::<sys::vgm_gpu_resp_display_info>());
    // SAFETY: n bytes of the struct, read unaligned.
    let info: sys::vgm_gpu_resp_display_info =
        unsafe { std::ptr::read_unaligned(resp.as_ptr() as *const _) };
    assert_eq!(info.hdr.type_, sys::VGM_GPU_RESP_OK_DISPLAY_INFO);
    assert_eq!((info.pmodes[0].r.width, info.pmodes[0].r.height, info.pmodes[0].enabled), (640, 480, 1));
    assert_eq!(info.pmodes[1].enabled, 0);
}

#[test]
fn a_recording_holds_the_request_and_its_response() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("display-info.trace");
    let file = std::fs::File::create(&path).unwrap();
    let mut dev = device();
    dev.record_start(&file).unwrap();
    drop(file);
    let req = bytes_of(&hdr(sys::VGM_GPU_CMD_GET_DISPLAY_INFO));
    let mut resp = vec![0u8; 512];
    let n = dev.submit_bytes(Queue::Control, &req, &mut resp).unwrap();
    dev.record_stop().unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{:02x}", x)).collect::<String>();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("# vgm-trace")).collect();
    assert!(lines[0].starts_with("device dialect=standard features=0x"), "{}", lines[0]);
    assert!(lines[0].contains(" display=0:640x480"), "{}", lines[0]);
    assert_eq!(lines[1], format!("ctrl resp=512 {}", hex(&req)));
    assert_eq!(lines[2], format!("# expect: ctrl {}", hex(&resp[..n])));
    assert!(matches!(dev.record_stop(), Err(Error::Errno(22))));
}

#[test]
fn hints_of_the_next_request_change_nothing() {
    let requests = picture_requests();
    let mut plain = device();
    let mut hinted = device();
    for (i, req) in requests.iter().enumerate() {
        let next = requests.get(i + 1).unwrap_or(req);
        let split = [IoSlice::new(&next[..5]), IoSlice::new(&next[5..])];
        hinted.prefetch(Queue::Control, &split).unwrap();
        hinted.prefetch(Queue::Cursor, &[IoSlice::new(next)]).unwrap();
        hinted.prefetch(Queue::Control, &[IoSlice::new(&[0xffu8; 64])]).unwrap();
        assert_eq!(response_type(&mut hinted, req), response_type(&mut plain, req));
    }
    assert_eq!(hinted.host().shown, plain.host().shown);
    assert!(!plain.host().shown.is_empty());
}

#[test]
fn a_picture_reaches_scanout_set() {
    let mut dev = device();
    for req in picture_requests() {
        assert_eq!(response_type(&mut dev, &req), sys::VGM_GPU_RESP_OK_NODATA);
    }
    let host = dev.host();
    assert_eq!(host.shown.len(), 1);
    let (scanout, w, h, fourcc, ref data) = host.shown[0];
    assert_eq!((scanout, w, h), (0, W, H));
    assert_eq!(fourcc, u32::from_le_bytes(*b"XR24"));
    let want = picture();
    assert_eq!(data, &want);
    assert_eq!(host.updates, vec![Rect { x: 0, y: 0, width: W, height: H }]);
    let mut copy = vec![0u8; (W * H * 4) as usize];
    dev.read_scanout(0, u32::from_le_bytes(*b"XR24"), &mut copy, W * 4).unwrap();
    assert_eq!(copy, want);
    assert_eq!(dev.stats().unwrap().resources, 1);
}

/// The reviewer's use-after-free, in safe code: the host is replaced
/// through host() (its RAM with it) while the device maps that RAM. The
/// mapping's memory is the translate()'s promise (GuestMap::new is unsafe),
/// kept here by RAM that is never freed: the transfer reads the old RAM.
#[test]
fn replacing_the_host_leaves_the_mapped_ram_alive() {
    let mut dev = device();
    let requests = picture_requests();
    for req in &requests[..2] {
        assert_eq!(response_type(&mut dev, req), sys::VGM_GPU_RESP_OK_NODATA);
    }
    *dev.host() = common::TestHost { ram: common::guest_ram(&[0; 16]), ..Default::default() };
    let _junk: Vec<Vec<u8>> = (0..64).map(|_| vec![0xaa; (W * H * 4) as usize]).collect();
    for req in &requests[2..] {
        assert_eq!(response_type(&mut dev, req), sys::VGM_GPU_RESP_OK_NODATA);
    }
    let mut copy = vec![0u8; (W * H * 4) as usize];
    dev.read_scanout(0, u32::from_le_bytes(*b"XR24"), &mut copy, W * 4).unwrap();
    assert_eq!(copy, picture());
}

#[test]
fn a_guest_error_is_a_response() {
    let mut dev = device();
    let unref = sys::vgm_gpu_resource_unref {
        hdr: hdr(sys::VGM_GPU_CMD_RESOURCE_UNREF),
        resource_id: 9,
        padding: 0,
    };
    assert_eq!(response_type(&mut dev, &bytes_of(&unref)), sys::VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    assert!(matches!(dev.resource_info(9), Err(Error::Errno(2))));
    assert!(matches!(dev.set_display(5, true, 640, 480), Err(Error::Errno(22))));
}

#[test]
fn a_panicking_callback_is_an_error_after_the_call() {
    let mut dev = device();
    dev.host().panic_in_update = true;
    let reqs = picture_requests();
    for req in &reqs[..4] {
        assert_eq!(response_type(&mut dev, req), sys::VGM_GPU_RESP_OK_NODATA);
    }
    let mut resp = [0u8; 64];
    match dev.submit_bytes(Queue::Control, &reqs[4], &mut resp) {
        Err(Error::Panic(msg)) => assert_eq!(msg, "update refused"),
        other => panic!("expected the panic, got {:?}", other),
    }
    // The library finished the request; the device goes on.
    assert_eq!(u32::from_le_bytes(resp[..4].try_into().unwrap()), sys::VGM_GPU_RESP_OK_NODATA);
    dev.host().panic_in_update = false;
    assert_eq!(response_type(&mut dev, &reqs[4]), sys::VGM_GPU_RESP_OK_NODATA);
    assert_eq!(dev.host().updates.len(), 1);
}

#[test]
fn a_device_is_send_and_not_sync() {
    fn send<T: Send>(_: &T) {}
    let dev = device();
    send(&dev);
    // Not Sync: this trait's method resolves only for a type that is not
    // (for a Sync one both impls apply and the call is ambiguous).
    trait AmbiguousIfSync<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfSync<()> for T {}
    impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}
    <Device<common::TestHost> as AmbiguousIfSync<_>>::check();
    std::thread::spawn(move || drop(dev)).join().unwrap();
}
