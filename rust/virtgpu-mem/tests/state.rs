// SPDX-License-Identifier: MIT
//! Saving and restoring through the safe wrapper: a picture saved, loaded
//! into a fresh device and shown again there on resume; what can_save()
//! says; unmap_guest() translating a range again.
mod common;

use common::{device, device_with, picture, picture_requests, response_type, TestHost, W};
use virtgpu_mem::{sys, Config, Device, Error, Queue};

const XR24: u32 = u32::from_le_bytes(*b"XR24");

fn saveable() -> Device<TestHost> {
    device_with(Config { flags: sys::VGM_DEVICE_SAVEABLE, ..Default::default() })
}

fn show_picture(dev: &mut Device<TestHost>) {
    for req in picture_requests() {
        assert_eq!(response_type(dev, &req), sys::VGM_GPU_RESP_OK_NODATA);
    }
}

fn shown_bytes(dev: &mut Device<TestHost>) -> Vec<u8> {
    let rect = dev.scanout_info(0).unwrap().rect;
    let mut copy = vec![0u8; (rect.width * rect.height * 4) as usize];
    dev.read_scanout(0, XR24, &mut copy, rect.width * 4).unwrap();
    copy
}

#[test]
fn a_saved_picture_is_shown_again_after_load_and_resume() {
    let mut src = saveable();
    show_picture(&mut src);
    assert_eq!(src.can_save().unwrap(), 0);
    let size = src.save_size().unwrap();
    let state = src.save().unwrap();
    assert_eq!(state.len(), size);
    drop(src);

    let mut dst = Device::new(
        &Config {
            flags: sys::VGM_DEVICE_SAVEABLE,
            scanouts: vec![virtgpu_mem::Scanout { enabled: true, width: 640, height: 480 }],
            ..Default::default()
        },
        common::host(),
    )
    .unwrap();
    common::write_ram(dst.host().ram, 0, &[0; 64]); // the guest wrote since: the save holds the transfer's
    dst.load(&state).unwrap();
    let mut resp = [0u8; 64];
    let req = &picture_requests()[4];
    assert!(matches!(dst.submit_bytes(Queue::Control, req, &mut resp), Err(Error::Errno(16))));
    assert!(dst.host().shown.is_empty());
    assert_eq!(dst.resume().unwrap(), 0);
    assert_eq!(dst.host().shown.len(), 1);
    assert_eq!(shown_bytes(&mut dst), picture());
    assert_eq!(dst.save().unwrap(), state);
}

#[test]
fn can_save_says_why_not() {
    let mut dev = device();
    assert_eq!(dev.can_save().unwrap(), sys::vgm_save_blocker_VGM_SAVE_BLOCKED_NOT_SAVEABLE);
    assert!(matches!(dev.save(), Err(Error::Errno(16))));
    // load() wants a fresh, saveable device.
    let state = saveable().save().unwrap();
    assert!(matches!(dev.load(&state), Err(Error::Errno(22))));
    let mut used = saveable();
    show_picture(&mut used);
    assert!(matches!(used.load(&state), Err(Error::Errno(22))));
    assert!(matches!(used.resume(), Err(Error::Errno(22)))); // not loaded
}

#[test]
fn unmap_guest_translates_the_range_again() {
    let mut dev = device();
    show_picture(&mut dev);
    let (translates, releases) = (dev.host().translates, dev.host().releases);
    assert_eq!(dev.unmap_guest(common::RAM_GPA, 4096).unwrap(), 0);
    assert_eq!(dev.host().releases, releases + 1);
    assert_eq!(dev.host().translates, translates + 1);
    // A range the device has not mapped: nothing to do.
    assert_eq!(dev.unmap_guest(0x4000_0000, 4096).unwrap(), 0);
    assert_eq!(dev.host().translates, translates + 1);
    // The backing works through the new mapping.
    common::write_ram(dev.host().ram, 0, &[0x77; (W * 4) as usize]);
    let transfer = &picture_requests()[2];
    assert_eq!(response_type(&mut dev, transfer), sys::VGM_GPU_RESP_OK_NODATA);
    assert_eq!(shown_bytes(&mut dev)[..(W * 4) as usize], vec![0x77; (W * 4) as usize][..]);
}
