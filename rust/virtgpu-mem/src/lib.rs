// SPDX-License-Identifier: MIT
//! A small safe wrapper of libvirtgpu-mem, the device side of virtio-gpu.
//!
//! A [`Device`] is made from a [`Config`] and a [`Host`]: the VMM's side of
//! the callbacks of `struct vgm_host_ops`, as trait methods (only
//! `translate` is required). [`Device::submit`] runs one request from its
//! descriptor chain's readable and writable parts.
//!
//! - Requests that complete later (a fenced request on a
//!   [`Renderer::Virgl`] device): [`Device::submit`] waits for them;
//!   [`Device::submit_tagged`] does not, and [`Host::request_done`] gives
//!   the answer from inside a later [`Device::poll`].
//! - Saved state: [`Device::save`], [`Device::load`], [`Device::resume`].
//!
//! - `Device<H>` is `Send` when `H` is, never `Sync`: the library allows one
//!   thread at a time per device. A [`Renderer::Virgl`] device belongs to
//!   the thread that made it: from another thread its calls fail with
//!   `Errno(EBUSY)`, [`Device::close`] gives it back, and dropping it
//!   there leaks it (the library cannot destroy it there).
//! - A panic in a callback never unwinds into C: every trampoline catches
//!   it, the callback returns what a failure returns (`translate`:
//!   `-EFAULT`), the host is not called again until that library call
//!   returns, and the call then returns [`Error::Panic`].
//! - A callback cannot call back into its device: it gets the host, not
//!   the device.
//! - Library failures are [`Error::Errno`]; a guest's error is a response.
use std::any::Any;
use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::CStr;
use std::fmt;
use std::io::{IoSlice, IoSliceMut};
use std::marker::PhantomData;
use std::mem::size_of;
use std::os::raw::{c_char, c_int, c_void};
use std::os::unix::io::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::thread::{self, ThreadId};

pub use virtgpu_mem_sys as sys;

/// The Rust code of rust/README.md, compiled and run as doc tests, so that
/// what a reader copies from it builds and works.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

const ENOENT: i32 = 2;
const ENOMEM: i32 = 12;
const EFAULT: i32 = 14;
const EBUSY: i32 = 16;
const EINVAL: i32 = 22;
const EINPROGRESS: i32 = 115;

/// What a library call can fail with.
#[derive(Debug)]
pub enum Error {
    /// The library returned this errno (`EINVAL`: API misuse, ...).
    Errno(i32),
    /// A callback panicked during the call; the message of the panic.
    Panic(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Errno(e) => write!(f, "{}", std::io::Error::from_raw_os_error(*e)),
            Error::Panic(msg) => write!(f, "a callback panicked: {}", msg),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// `enum vgm_dialect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Standard,
    MemoryRfc,
}

/// `enum vgm_queue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Control,
    Cursor,
}

impl Queue {
    fn raw(self) -> sys::vgm_queue {
        match self {
            Queue::Control => sys::vgm_queue_VGM_QUEUE_CONTROL,
            Queue::Cursor => sys::vgm_queue_VGM_QUEUE_CURSOR,
        }
    }
}

/// `enum vgm_renderer`: what draws the device's resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renderer {
    /// 2D in host memory: always there; every request is answered before
    /// the call that submits it returns.
    TwoD,
    /// 3D through virglrenderer, in this process: one such device per
    /// process at a time, used only from the thread that made it (from
    /// another its calls fail with `Errno(EBUSY)`, and it can be destroyed
    /// only there: see [`Device`]). Fenced requests complete later
    /// ([`Device::submit_tagged`]).
    Virgl,
}

impl Renderer {
    fn raw(self) -> u32 {
        match self {
            Renderer::TwoD => sys::vgm_renderer_VGM_RENDERER_2D,
            Renderer::Virgl => sys::vgm_renderer_VGM_RENDERER_VIRGL,
        }
    }
}

/// Whether a device with this renderer can be made now
/// (`vgm_renderer_available`): `Ok`, or `Errno(ENOTSUP)` for a library
/// built without it, `Errno(ENODEV)` where EGL cannot run without a
/// display, `Errno(EBUSY)` while a virgl device lives in this process.
pub fn renderer_available(renderer: Renderer) -> Result<()> {
    // SAFETY: no pointer; any thread.
    match unsafe { sys::vgm_renderer_available(renderer.raw()) } {
        0 => Ok(()),
        ret => Err(Error::Errno(-ret)),
    }
}

/// What [`Device::submit_tagged`] did with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Submitted {
    /// Answered now: the response buffer, cut to the bytes written.
    Answered(Vec<u8>),
    /// In flight: [`Host::request_done`] gets the buffer once answered.
    InFlight,
}

/// A display of the device: connected or not, its preferred size (0x0: the
/// library's default).
#[derive(Clone, Copy, Debug, Default)]
pub struct Scanout {
    pub enabled: bool,
    pub width: u32,
    pub height: u32,
}

/// `struct vgm_device_config` without the callbacks; limits of 0 are the
/// library's defaults.
#[derive(Clone, Debug)]
pub struct Config {
    pub dialect: Dialect,
    pub features: u64,
    pub scanouts: Vec<Scanout>,
    pub max_host_memory: u64,
    pub max_backing_entries: u32,
    pub max_resources: u32,
    pub max_regions: u32,
    pub max_table_pieces: u32,
    /// `enum vgm_log_level`; 0: warnings.
    pub log_level: u32,
    /// Transfers of at least this many bytes bypass the CPU's caches; 0:
    /// chosen from the machine, `u64::MAX`: never.
    pub stream_threshold: u64,
    /// `sys::VGM_DEVICE_SAVEABLE` (the device can be saved: a 2D device
    /// only) or 0.
    pub flags: u32,
    /// What draws the device's resources.
    pub renderer: Renderer,
    /// With [`Renderer::Virgl`]: `sys::VGM_VIRGL_THREAD_SYNC` (a poll fd,
    /// [`Device::poll_fd`]) or 0; with [`Renderer::TwoD`], 0.
    pub renderer_flags: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dialect: Dialect::Standard,
            features: sys::VGM_FEATURES_ALL,
            scanouts: vec![Scanout { enabled: true, width: 0, height: 0 }],
            max_host_memory: 0,
            max_backing_entries: 0,
            max_resources: 0,
            max_regions: 0,
            max_table_pieces: 0,
            log_level: 0,
            stream_threshold: 0,
            flags: 0,
            renderer: Renderer::TwoD,
            renderer_flags: 0,
        }
    }
}

/// A guest range mapped into host memory (`struct vgm_guest_map`): what
/// [`Host::translate`] returns, and what [`Host::release`] gets back.
///
/// The library reads and writes through the pointer long after `translate`
/// returned: for as long as it holds the mapping. So only `unsafe` code
/// makes one ([`GuestMap::new`]), and its fields are private:
///
/// ```
/// use std::sync::atomic::AtomicU8;
/// use virtgpu_mem::GuestMap;
///
/// // Guest RAM that is never freed or moved, and that Rust only ever
/// // shares (atomics: the library and the guest write it).
/// let ram: &'static [AtomicU8] = Box::leak(Box::new([0u8; 64].map(AtomicU8::new)));
/// // SAFETY: ram is valid for reads and writes of its 64 bytes forever.
/// let map = unsafe { GuestMap::new(ram.as_ptr() as *mut u8, 64) };
/// assert_eq!((map.len(), map.fd()), (64, -1));
/// ```
///
/// ```compile_fail
/// // Outside `unsafe`: does not compile.
/// let ram: &'static [std::sync::atomic::AtomicU8] = Box::leak(Box::new([0u8; 64].map(Into::into)));
/// let _map = virtgpu_mem::GuestMap::new(ram.as_ptr() as *mut u8, 64);
/// ```
///
/// ```compile_fail
/// // Nor is a GuestMap written out field by field.
/// let _map = virtgpu_mem::GuestMap { ptr: 0x1000 as *mut u8, len: 64, cookie: 0, fd: -1, fd_offset: 0 };
/// ```
#[derive(Clone, Copy, Debug)]
pub struct GuestMap {
    ptr: *mut u8,
    len: u64,
    cookie: usize,
    fd: RawFd,
    fd_offset: u64,
}

impl GuestMap {
    /// A mapping of `len` bytes at `ptr`, without a cookie (0) or a file
    /// descriptor (-1).
    ///
    /// # Safety
    ///
    /// Each time this map, or a copy of it, is returned from
    /// [`Host::translate`], the library holds it from then until it gives
    /// it back through [`Host::release`], or until the device is destroyed
    /// (dropped, or [`Device::close`]d); a device leaked (a
    /// [`Renderer::Virgl`] device dropped on another thread) holds it for
    /// the rest of the process. For all that time:
    ///
    /// - `ptr` is valid for reads and writes of `len` bytes (`len` as the
    ///   library checks it: 1 up to the length `translate` was asked for);
    /// - those bytes are neither freed, nor moved (a `Vec` that grows or is
    ///   replaced), nor unmapped;
    /// - the library reads and writes them from inside any call on the
    ///   device, and the guest at any time: no Rust reference (`&[u8]`,
    ///   `&mut [u8]`, a `Vec` or `Box` that owns them) may be used to
    ///   access them while the device may, except to types that allow
    ///   shared mutation (`AtomicU8`, `Cell`, `UnsafeCell`); access them
    ///   through raw pointers or such types.
    ///
    /// The host cannot rely on keeping the memory alive itself:
    /// [`Device::host`] gives safe code `&mut H`, with which it can replace
    /// the whole host (and drop the old one) or any of its public fields.
    /// Guest RAM that satisfies this lives outside the host, or is only
    /// shared by it: memory mapped for the life of the VM (`mmap`, unmapped
    /// after the device is dropped), a leaked allocation
    /// (`&'static [AtomicU8]`), or an allocation kept alive by a reference
    /// count that each mapping holds in its cookie
    /// ([`GuestMap::with_cookie`]) until `release`.
    pub unsafe fn new(ptr: *mut u8, len: u64) -> Self {
        GuestMap { ptr, len, cookie: 0, fd: -1, fd_offset: 0 }
    }

    /// The same mapping with the host's own handle, which
    /// [`Host::release`] gets back.
    pub fn with_cookie(self, cookie: usize) -> Self {
        GuestMap { cookie, ..self }
    }

    /// The same mapping, also held by `fd` at `fd_offset` (memfd guest
    /// RAM): the library may make dma-bufs of it (`/dev/udmabuf`).
    ///
    /// # Safety
    ///
    /// For as long as the library holds the mapping (see
    /// [`GuestMap::new`]), `fd` is open and its bytes from `fd_offset` on
    /// are the `len` bytes at `ptr`. The library never closes it.
    pub unsafe fn with_fd(self, fd: RawFd, fd_offset: u64) -> Self {
        GuestMap { fd, fd_offset, ..self }
    }

    /// The first byte of the range.
    pub fn ptr(&self) -> *mut u8 {
        self.ptr
    }

    /// Bytes contiguous there: 1 up to the length asked for.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// The host's own handle, given back to [`Host::release`].
    pub fn cookie(&self) -> usize {
        self.cookie
    }

    /// A file descriptor holding the range at [`GuestMap::fd_offset`]
    /// (memfd RAM), or -1.
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    pub fn fd_offset(&self) -> u64 {
        self.fd_offset
    }
}

/// `struct vgm_rect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl From<&sys::vgm_rect> for Rect {
    fn from(r: &sys::vgm_rect) -> Self {
        Rect { x: r.x, y: r.y, width: r.width, height: r.height }
    }
}

/// What a scanout shows: the rows of a 32-bit image, valid during the
/// callback (the header says for how long the library keeps them).
///
/// The bytes may be guest memory that the guest writes at any time (a
/// blob resource shown straight from it), so no safe `&[u8]` of them is
/// lent: [`Pixels::copy_to`] and [`Pixels::to_vec`] copy them (a copy may
/// be torn by such a write), [`Pixels::as_ptr`] is for `unsafe` code, and
/// [`Pixels::as_slice`] is `unsafe`.
///
/// ```compile_fail
/// // No safe slice of the pixels: the guest may be writing them.
/// fn rows<'a>(px: &'a virtgpu_mem::Pixels<'_>) -> &'a [u8] {
///     px.data
/// }
/// ```
///
/// ```compile_fail
/// fn rows<'a>(px: &'a virtgpu_mem::Pixels<'_>) -> &'a [u8] {
///     px.as_slice() // unsafe
/// }
/// ```
#[derive(Debug)]
pub struct Pixels<'a> {
    data: *const u8,
    len: usize,
    pub stride: u32,
    /// DRM fourcc (`DRM_FORMAT_XRGB8888`, ...).
    pub fourcc: u32,
    pub width: u32,
    pub height: u32,
    _during_the_call: PhantomData<&'a [u8]>,
}

impl Pixels<'_> {
    /// The first byte of the first row (null when there are none).
    pub fn as_ptr(&self) -> *const u8 {
        self.data
    }

    /// The bytes from the first row's first byte to the last row's last
    /// pixel: `stride * (height - 1) + width * 4`, 0 without rows.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copies the first `min(self.len(), dst.len())` bytes into `dst`; how
    /// many. Rows the guest writes meanwhile may be copied half old, half
    /// new.
    pub fn copy_to(&self, dst: &mut [u8]) -> usize {
        let n = self.len.min(dst.len());
        if n > 0 {
            // SAFETY: the wrapper made data valid for reads of len bytes
            // during the callback, and dst is ours; the guest's concurrent
            // writes are outside Rust's memory (as with any memory shared
            // with another process), and no Rust reference covers them.
            unsafe { ptr::copy_nonoverlapping(self.data, dst.as_mut_ptr(), n) };
        }
        n
    }

    /// A copy of the [`Pixels::len`] bytes (see [`Pixels::copy_to`]).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.len];
        self.copy_to(&mut v);
        v
    }

    /// The bytes as a slice.
    ///
    /// # Safety
    ///
    /// Nothing may write them while the slice is used: the caller knows
    /// that they are not guest memory the guest writes (not a blob
    /// resource shown from guest memory), or that the guest is stopped.
    /// The slice must not be used after the callback returns.
    pub unsafe fn as_slice(&self) -> &[u8] {
        if self.len == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(self.data, self.len)
        }
    }
}

/// A cursor image (64x64 ARGB8888) and its position.
#[derive(Debug)]
pub struct Cursor<'a> {
    pub pixels: &'a [u32],
    pub hot_x: u32,
    pub hot_y: u32,
    pub x: u32,
    pub y: u32,
}

/// A blob scanout as a dma-buf; the host owns the fd.
#[derive(Debug)]
pub struct DmaBuf {
    pub fd: OwnedFd,
    pub fourcc: u32,
    pub modifier: u64,
    pub stride: u32,
    pub offset: u64,
    pub size: u64,
    pub width: u32,
    pub height: u32,
    pub rect: Rect,
}

/// The VMM's side: the callbacks of `struct vgm_host_ops`. Every method but
/// `translate` does nothing by default.
pub trait Host {
    /// Maps `[gpa, gpa + len)`: `Ok` with 1..=len contiguous bytes, or
    /// `Err(errno)` when it is not guest RAM (the guest gets an error).
    /// The library uses the mapping until it gives it back to `release`
    /// (or the device is destroyed): see the safety contract of
    /// [`GuestMap::new`].
    fn translate(&mut self, gpa: u64, len: u64) -> std::result::Result<GuestMap, i32>;
    /// The library holds a mapping `translate` gave no more: from here on
    /// the memory is the host's again.
    fn release(&mut self, _map: &GuestMap) {}
    fn fence_done(&mut self, _ctx_id: u32, _ring_idx: u8, _fence_id: u64) {}
    fn config_changed(&mut self) {}
    fn scanout_set(&mut self, _scanout: u32, _pixels: &Pixels<'_>) {}
    fn scanout_disable(&mut self, _scanout: u32) {}
    fn scanout_update(&mut self, _scanout: u32, _rect: Rect) {}
    fn cursor_set(&mut self, _scanout: u32, _cursor: &Cursor<'_>) {}
    fn cursor_move(&mut self, _scanout: u32, _x: u32, _y: u32) {}
    fn cursor_hide(&mut self, _scanout: u32) {}
    fn log(&mut self, _level: u32, _message: &str) {}
    fn resource_uuid(&mut self, _resource_id: u32, _uuid: [u8; 16]) {}
    /// True: blob scanouts come as dma-bufs when the library can make them
    /// (`scanout_dmabuf`), instead of `scanout_set`.
    const DMABUF: bool = false;
    fn scanout_dmabuf(&mut self, _scanout: u32, _buf: DmaBuf) {}
    /// A request that [`Device::submit_tagged`] left in flight is
    /// answered: its `tag`, and the response buffer given with it, cut to
    /// the bytes written (after `fence_done` for a fenced one). Called from
    /// inside [`Device::poll`], [`Device::reset`] (an `ERR_UNSPEC` answer)
    /// or a [`Device::submit`] that waits. A VMM that submits with tags
    /// implements it: by default the answer is dropped.
    fn request_done(&mut self, _tag: u64, _response: Vec<u8>) {}
}

/// The host and what its callbacks left for the call that made them.
struct Shared<H> {
    host: H,
    panic: Option<Box<dyn Any + Send>>,
    /// Requests in flight: the tag the library was given -> the host's tag
    /// and the buffer the library writes the response into (its heap
    /// memory does not move while the Vec sits here).
    in_flight: HashMap<u64, (u64, Vec<u8>)>,
    next_tag: u64,
}

/// A device. See the crate's documentation.
///
/// Dropping it destroys it (`vgm_device_destroy`), except for a
/// [`Renderer::Virgl`] device dropped on another thread than the one that
/// made it: the library refuses that, so the device lives on and the drop
/// leaks it, with its host and the response buffers in flight, which the
/// library still points into (and the process can make no other virgl
/// device). [`Device::close`] says so instead.
pub struct Device<H: Host> {
    raw: NonNull<sys::vgm_device>,
    shared: NonNull<Shared<H>>,
    /// A virgl device's thread, the only one the library destroys it on.
    owner: Option<ThreadId>,
    _not_sync: PhantomData<Cell<()>>,
}

// The device and its host move together. The library keeps no thread's
// state but a virgl device's owner, and refuses every call from another
// thread (-EBUSY, destroy included: Drop leaks it then). Cell keeps it
// from being Sync.
unsafe impl<H: Host + Send> Send for Device<H> {}

/// Runs a callback of the host unless one panicked already in this call;
/// a panic is kept for the call and `fail` returned.
fn guard<H: Host, R>(host: *mut c_void, fail: R, f: impl FnOnce(&mut H) -> R) -> R {
    // SAFETY: host is the Shared<H> the device gave the library, and the
    // library calls back only from inside a call the Device made with
    // &mut self, so nothing else touches it now.
    let shared = unsafe { &mut *(host as *mut Shared<H>) };
    if shared.panic.is_some() {
        return fail;
    }
    match catch_unwind(AssertUnwindSafe(|| f(&mut shared.host))) {
        Ok(r) => r,
        Err(p) => {
            shared.panic = Some(p);
            fail
        }
    }
}

unsafe extern "C" fn translate<H: Host>(
    host: *mut c_void,
    gpa: u64,
    len: u64,
    map: *mut sys::vgm_guest_map,
) -> c_int {
    guard::<H, _>(host, -EFAULT, |h| match h.translate(gpa, len) {
        Ok(m) => {
            // SAFETY: the library passes a valid map.
            let out = &mut *map;
            out.ptr = m.ptr as *mut c_void;
            out.len = m.len;
            out.cookie = m.cookie as *mut c_void;
            out.fd = m.fd;
            out.fd_offset = m.fd_offset;
            0
        }
        Err(e) => -e.abs().max(1),
    })
}

fn guest_map(m: &sys::vgm_guest_map) -> GuestMap {
    GuestMap {
        ptr: m.ptr as *mut u8,
        len: m.len,
        cookie: m.cookie as usize,
        fd: m.fd,
        fd_offset: m.fd_offset,
    }
}

unsafe extern "C" fn release<H: Host>(host: *mut c_void, map: *const sys::vgm_guest_map) {
    let m = guest_map(&*map);
    guard::<H, _>(host, (), |h| h.release(&m))
}

unsafe extern "C" fn fence_done<H: Host>(host: *mut c_void, ctx: u32, ring: u8, fence: u64) {
    guard::<H, _>(host, (), |h| h.fence_done(ctx, ring, fence))
}

unsafe extern "C" fn config_changed<H: Host>(host: *mut c_void) {
    guard::<H, _>(host, (), |h| h.config_changed())
}

unsafe extern "C" fn scanout_set<H: Host>(
    host: *mut c_void,
    scanout: u32,
    px: *const sys::vgm_pixels,
) {
    let px = &*px;
    let len = if px.height == 0 || px.data.is_null() {
        0
    } else {
        px.stride as usize * (px.height as usize - 1) + px.width as usize * 4
    };
    // No slice: the bytes may be guest memory the guest writes meanwhile.
    let pixels = Pixels {
        data: px.data as *const u8,
        len,
        stride: px.stride,
        fourcc: px.fourcc,
        width: px.width,
        height: px.height,
        _during_the_call: PhantomData,
    };
    guard::<H, _>(host, (), |h| h.scanout_set(scanout, &pixels))
}

unsafe extern "C" fn scanout_disable<H: Host>(host: *mut c_void, scanout: u32) {
    guard::<H, _>(host, (), |h| h.scanout_disable(scanout))
}

unsafe extern "C" fn scanout_update<H: Host>(
    host: *mut c_void,
    scanout: u32,
    rect: *const sys::vgm_rect,
) {
    let r = Rect::from(&*rect);
    guard::<H, _>(host, (), |h| h.scanout_update(scanout, r))
}

unsafe extern "C" fn cursor_set<H: Host>(
    host: *mut c_void,
    scanout: u32,
    c: *const sys::vgm_cursor,
) {
    let c = &*c;
    let n = (sys::VGM_CURSOR_SIZE * sys::VGM_CURSOR_SIZE) as usize;
    let cursor = Cursor {
        pixels: std::slice::from_raw_parts(c.pixels, n),
        hot_x: c.hot_x,
        hot_y: c.hot_y,
        x: c.x,
        y: c.y,
    };
    guard::<H, _>(host, (), |h| h.cursor_set(scanout, &cursor))
}

unsafe extern "C" fn cursor_move<H: Host>(host: *mut c_void, scanout: u32, x: u32, y: u32) {
    guard::<H, _>(host, (), |h| h.cursor_move(scanout, x, y))
}

unsafe extern "C" fn cursor_hide<H: Host>(host: *mut c_void, scanout: u32) {
    guard::<H, _>(host, (), |h| h.cursor_hide(scanout))
}

unsafe extern "C" fn log<H: Host>(host: *mut c_void, level: sys::vgm_log_level, msg: *const c_char) {
    let text = if msg.is_null() {
        String::new()
    } else {
        CStr::from_ptr(msg).to_string_lossy().into_owned()
    };
    guard::<H, _>(host, (), |h| h.log(level, &text))
}

unsafe extern "C" fn resource_uuid<H: Host>(host: *mut c_void, id: u32, uuid: *const u8) {
    let mut u = [0u8; 16];
    ptr::copy_nonoverlapping(uuid, u.as_mut_ptr(), 16);
    guard::<H, _>(host, (), |h| h.resource_uuid(id, u))
}

unsafe extern "C" fn scanout_dmabuf<H: Host>(
    host: *mut c_void,
    scanout: u32,
    b: *const sys::vgm_dmabuf,
) {
    let b = &*b;
    // The host owns the fd from here on: dropped (closed) even if the
    // callback panics.
    let buf = DmaBuf {
        fd: OwnedFd::from_raw_fd(b.fd),
        fourcc: b.fourcc,
        modifier: b.modifier,
        stride: b.stride,
        offset: b.offset,
        size: b.size,
        width: b.width,
        height: b.height,
        rect: Rect::from(&b.rect),
    };
    guard::<H, _>(host, (), move |h| h.scanout_dmabuf(scanout, buf))
}

unsafe extern "C" fn request_done<H: Host>(host: *mut c_void, tag: u64, written: sys::size_t) {
    // SAFETY: as in guard(); this borrow ends before guard() takes its own.
    let entry = (*(host as *mut Shared<H>)).in_flight.remove(&tag);
    if let Some((host_tag, mut response)) = entry {
        response.truncate(written as usize);
        guard::<H, _>(host, (), move |h| h.request_done(host_tag, response))
    }
}

fn ops<H: Host>() -> sys::vgm_host_ops {
    sys::vgm_host_ops {
        size: size_of::<sys::vgm_host_ops>() as u32,
        translate: Some(translate::<H>),
        release: Some(release::<H>),
        fence_done: Some(fence_done::<H>),
        config_changed: Some(config_changed::<H>),
        scanout_set: Some(scanout_set::<H>),
        scanout_disable: Some(scanout_disable::<H>),
        scanout_update: Some(scanout_update::<H>),
        cursor_set: Some(cursor_set::<H>),
        cursor_move: Some(cursor_move::<H>),
        cursor_hide: Some(cursor_hide::<H>),
        log: Some(log::<H>),
        resource_uuid: Some(resource_uuid::<H>),
        scanout_dmabuf: if H::DMABUF { Some(scanout_dmabuf::<H>) } else { None },
        request_done: Some(request_done::<H>),
    }
}

/// The library's version ("0.3.0").
pub fn version() -> String {
    // SAFETY: a static string.
    unsafe { CStr::from_ptr(sys::vgm_version()) }.to_string_lossy().into_owned()
}

impl<H: Host> Device<H> {
    /// Makes a device (`vgm_device_new`).
    pub fn new(config: &Config, host: H) -> Result<Self> {
        if config.scanouts.is_empty() || config.scanouts.len() > sys::VGM_MAX_SCANOUTS as usize {
            return Err(Error::Errno(EINVAL));
        }
        let shared = NonNull::from(Box::leak(Box::new(Shared {
            host,
            panic: None,
            in_flight: HashMap::new(),
            next_tag: 0,
        })));
        let ops = ops::<H>();
        let mut cfg = sys::vgm_device_config {
            size: size_of::<sys::vgm_device_config>() as u32,
            dialect: match config.dialect {
                Dialect::Standard => sys::vgm_dialect_VGM_DIALECT_STANDARD,
                Dialect::MemoryRfc => sys::vgm_dialect_VGM_DIALECT_MEMORY_RFC,
            },
            features: config.features,
            num_scanouts: config.scanouts.len() as u32,
            max_host_memory: config.max_host_memory,
            max_backing_entries: config.max_backing_entries,
            max_resources: config.max_resources,
            max_regions: config.max_regions,
            log_level: config.log_level,
            ops: &ops,
            host: shared.as_ptr() as *mut c_void,
            max_table_pieces: config.max_table_pieces,
            stream_threshold: config.stream_threshold,
            flags: config.flags,
            renderer: config.renderer.raw(),
            renderer_flags: config.renderer_flags,
            ..Default::default()
        };
        for (c, s) in cfg.scanouts.iter_mut().zip(&config.scanouts) {
            *c = sys::vgm_scanout_config {
                enabled: s.enabled as u32,
                width: s.width,
                height: s.height,
            };
        }
        let mut raw = ptr::null_mut();
        // SAFETY: cfg and ops are valid for the call (the library copies
        // them); shared lives until the device is destroyed.
        let ret = unsafe { sys::vgm_device_new(&cfg, &mut raw) };
        let taken = unsafe { &mut *shared.as_ptr() }.panic.take();
        match (NonNull::new(raw), ret, taken) {
            (Some(raw), 0, None) => Ok(Device {
                raw,
                shared,
                owner: match config.renderer {
                    Renderer::Virgl => Some(thread::current().id()),
                    Renderer::TwoD => None,
                },
                _not_sync: PhantomData,
            }),
            (raw, ret, taken) => {
                if let Some(raw) = raw {
                    unsafe { sys::vgm_device_destroy(raw.as_ptr()) };
                }
                // SAFETY: made by Box::leak above; the library is done with it.
                drop(unsafe { Box::from_raw(shared.as_ptr()) });
                Err(match taken {
                    Some(p) => Error::Panic(panic_message(&*p)),
                    None => Error::Errno(if ret < 0 { -ret } else { ENOMEM }),
                })
            }
        }
    }

    /// Destroys the device, as dropping it does, or gives it back with
    /// `Errno(EBUSY)` where the library cannot destroy it: a
    /// [`Renderer::Virgl`] device on another thread than the one that made
    /// it (move it back there and close it there). A panic in
    /// [`Host::release`] while closing is dropped, as in a drop.
    pub fn close(self) -> std::result::Result<(), (Self, Error)> {
        if !self.destroyable_here() {
            return Err((self, Error::Errno(EBUSY)));
        }
        drop(self);
        Ok(())
    }

    /// Whether vgm_device_destroy() would destroy it on this thread.
    fn destroyable_here(&self) -> bool {
        match self.owner {
            None => true,
            // A thread whose thread-locals are gone (a thread-local's
            // destructor at its exit) has no id left: not the owner.
            Some(owner) => catch_unwind(|| thread::current().id()).map_or(false, |id| id == owner),
        }
    }

    fn shared(&mut self) -> &mut Shared<H> {
        // SAFETY: between library calls only the device reaches it.
        unsafe { &mut *self.shared.as_ptr() }
    }

    /// The result of a call: a panic a callback left, else the errno.
    fn finish(&mut self, ret: c_int) -> Result<u32> {
        if let Some(p) = self.shared().panic.take() {
            return Err(Error::Panic(panic_message(&*p)));
        }
        if ret < 0 {
            Err(Error::Errno(-ret))
        } else {
            Ok(ret as u32)
        }
    }

    /// The host, between calls. The device may hold mappings that
    /// `translate` gave: whatever is done with the host here (even
    /// replacing it) must leave the memory they map alive and in place,
    /// which is up to the `unsafe` code that made them ([`GuestMap::new`]).
    pub fn host(&mut self) -> &mut H {
        &mut self.shared().host
    }

    /// Runs one request (`vgm_device_submit`): the descriptor chain's
    /// readable and writable parts; the response's length.
    pub fn submit(
        &mut self,
        queue: Queue,
        readable: &[IoSlice<'_>],
        writable: &mut [IoSliceMut<'_>],
    ) -> Result<usize> {
        let mut written = 0;
        // SAFETY: IoSlice and IoSliceMut are ABI-compatible with struct
        // iovec on Unix (their documentation says so); the library reads
        // and writes only inside them, during the call.
        let ret = unsafe {
            sys::vgm_device_submit(
                self.raw.as_ptr(),
                queue.raw(),
                readable.as_ptr() as *const sys::iovec,
                readable.len() as _,
                writable.as_mut_ptr() as *const sys::iovec,
                writable.len() as _,
                &mut written,
            )
        };
        self.finish(ret).map(|_| written as usize)
    }

    /// A hint that `readable` is the next request of `queue`
    /// (`vgm_device_prefetch`): the device asks for the memory its lookup
    /// will read, so that the miss overlaps the request submitted before
    /// it. Changes nothing and answers nothing.
    pub fn prefetch(&mut self, queue: Queue, readable: &[IoSlice<'_>]) -> Result<()> {
        // SAFETY: as in submit(): the library reads inside the slices only,
        // during the call.
        let ret = unsafe {
            sys::vgm_device_prefetch(
                self.raw.as_ptr(),
                queue.raw(),
                readable.as_ptr() as *const sys::iovec,
                readable.len() as _,
            )
        };
        self.finish(ret).map(|_| ())
    }

    /// One request in one buffer, its response in another.
    pub fn submit_bytes(&mut self, queue: Queue, request: &[u8], response: &mut [u8]) -> Result<usize> {
        self.submit(queue, &[IoSlice::new(request)], &mut [IoSliceMut::new(response)])
    }

    pub fn reset(&mut self) -> Result<()> {
        let ret = unsafe { sys::vgm_device_reset(self.raw.as_ptr()) };
        self.finish(ret).map(|_| ())
    }

    /// The feature bits the device offers.
    pub fn offered_features(&mut self) -> Result<u64> {
        let mut v = 0;
        let ret = unsafe { sys::vgm_device_get_features(self.raw.as_ptr(), &mut v) };
        self.finish(ret).map(|_| v)
    }

    /// What the driver accepted.
    pub fn set_features(&mut self, accepted: u64) -> Result<()> {
        let ret = unsafe { sys::vgm_device_set_features(self.raw.as_ptr(), accepted) };
        self.finish(ret).map(|_| ())
    }

    pub fn set_display(&mut self, scanout: u32, enabled: bool, width: u32, height: u32) -> Result<()> {
        let ret = unsafe {
            sys::vgm_device_set_display(self.raw.as_ptr(), scanout, enabled, width, height)
        };
        self.finish(ret).map(|_| ())
    }

    /// A scanout's EDID, or `None` for the generated one.
    pub fn set_edid(&mut self, scanout: u32, edid: Option<&[u8]>) -> Result<()> {
        let (p, n) = edid.map_or((ptr::null(), 0), |e| (e.as_ptr() as *const c_void, e.len()));
        let ret = unsafe { sys::vgm_device_set_edid(self.raw.as_ptr(), scanout, p, n as _) };
        self.finish(ret).map(|_| ())
    }

    pub fn scanout_info(&mut self, scanout: u32) -> Result<sys::vgm_scanout_info> {
        let mut info = sys::vgm_scanout_info {
            size: size_of::<sys::vgm_scanout_info>() as u32,
            ..Default::default()
        };
        let ret = unsafe { sys::vgm_device_get_scanout_info(self.raw.as_ptr(), scanout, &mut info) };
        self.finish(ret).map(|_| info)
    }

    /// `Err(Errno(ENOENT))` when no resource has the id.
    pub fn resource_info(&mut self, resource_id: u32) -> Result<sys::vgm_resource_info> {
        let mut info = sys::vgm_resource_info {
            size: size_of::<sys::vgm_resource_info>() as u32,
            ..Default::default()
        };
        let ret = unsafe {
            sys::vgm_device_get_resource_info(self.raw.as_ptr(), resource_id, &mut info)
        };
        self.finish(ret).map(|_| info)
    }

    pub fn stats(&mut self) -> Result<sys::vgm_stats> {
        let mut st = sys::vgm_stats { size: size_of::<sys::vgm_stats>() as u32, ..Default::default() };
        let ret = unsafe { sys::vgm_device_get_stats(self.raw.as_ptr(), &mut st) };
        self.finish(ret).map(|_| st)
    }

    /// Records what the guest sends from now on as a vgm-trace v1 stream
    /// that `vgm-replay` replays (`vgm_device_record_start`, docs/recording.md):
    /// before the first request or after a reset. The library writes to its
    /// own duplicate of `fd`.
    pub fn record_start(&mut self, fd: impl AsFd) -> Result<()> {
        let ret = unsafe {
            sys::vgm_device_record_start(self.raw.as_ptr(), fd.as_fd().as_raw_fd())
        };
        self.finish(ret).map(|_| ())
    }

    /// Ends the recording; `Errno(EIO)` when a write failed on the way.
    pub fn record_stop(&mut self) -> Result<()> {
        let ret = unsafe { sys::vgm_device_record_stop(self.raw.as_ptr()) };
        self.finish(ret).map(|_| ())
    }

    /// What a scanout shows, converted to `fourcc` into `dst` (rows of
    /// `stride` bytes; see `vgm_device_read_scanout`).
    pub fn read_scanout(&mut self, scanout: u32, fourcc: u32, dst: &mut [u8], stride: u32) -> Result<()> {
        let info = self.scanout_info(scanout)?;
        if (stride as usize).checked_mul(info.rect.height as usize).map_or(true, |n| n > dst.len()) {
            return Err(Error::Errno(EINVAL));
        }
        let ret = unsafe {
            sys::vgm_device_read_scanout(
                self.raw.as_ptr(),
                scanout,
                fourcc,
                dst.as_mut_ptr() as *mut c_void,
                stride,
            )
        };
        self.finish(ret).map(|_| ())
    }
}

/// Requests that complete later.
impl<H: Host> Device<H> {
    /// Runs one request without waiting for work that completes later
    /// (`vgm_device_submit_tagged`): `readable` is the descriptor chain's
    /// readable part, `response` the buffer its answer is written into
    /// (its length is the writable part's). The device keeps the buffer
    /// while the request is in flight and hands it to
    /// [`Host::request_done`] with `tag` once it is answered.
    ///
    /// On each fence timeline fenced requests are answered in the order
    /// they were submitted; unfenced ones at once. An `Err(Panic)` says a
    /// callback panicked; the request may still be in flight then (see
    /// [`Device::in_flight`]).
    pub fn submit_tagged(
        &mut self,
        queue: Queue,
        readable: &[IoSlice<'_>],
        mut response: Vec<u8>,
        tag: u64,
    ) -> Result<Submitted> {
        let out = sys::iovec {
            iov_base: response.as_mut_ptr() as *mut c_void,
            iov_len: response.len() as _,
        };
        let shared = self.shared();
        let key = shared.next_tag;
        shared.next_tag += 1;
        shared.in_flight.insert(key, (tag, response));
        let mut written = 0;
        // SAFETY: readable as in submit(); out points into the Vec now in
        // in_flight, whose heap buffer stays put until request_done() or
        // the device's destruction takes it out (after the library wrote).
        let ret = unsafe {
            sys::vgm_device_submit_tagged(
                self.raw.as_ptr(),
                queue.raw(),
                readable.as_ptr() as *const sys::iovec,
                readable.len() as _,
                &out,
                1,
                key,
                &mut written,
            )
        };
        if ret == -EINPROGRESS {
            return self.finish(0).map(|_| Submitted::InFlight);
        }
        // Answered now, or refused: the library holds nothing of it.
        let entry = self.shared().in_flight.remove(&key);
        let (_, mut response) = entry.expect("a request answered at once is still ours");
        response.truncate(written as usize);
        self.finish(ret).map(|_| Submitted::Answered(response))
    }

    /// How many requests of [`Device::submit_tagged`] wait for their answer.
    pub fn in_flight(&self) -> usize {
        // SAFETY: between library calls only the device reaches it.
        unsafe { self.shared.as_ref() }.in_flight.len()
    }

    /// Answers the requests in flight whose work completed
    /// (`vgm_device_poll`): `fence_done` and `request_done` from inside.
    pub fn poll(&mut self) -> Result<()> {
        let ret = unsafe { sys::vgm_device_poll(self.raw.as_ptr()) };
        self.finish(ret).map(|_| ())
    }

    /// The fd that becomes readable when [`Device::poll`] has work
    /// (`vgm_device_get_poll_fd`: a virgl device with
    /// `sys::VGM_VIRGL_THREAD_SYNC`, until a reset), or `None`. It is the
    /// device's: do not close it.
    pub fn poll_fd(&mut self) -> Result<Option<RawFd>> {
        let mut fd = -1;
        let ret = unsafe { sys::vgm_device_get_poll_fd(self.raw.as_ptr(), &mut fd) };
        self.finish_or_none(ret, fd)
    }

    /// While requests are in flight, the `CLOCK_MONOTONIC` time in
    /// nanoseconds by which [`Device::poll`] must be called
    /// (`vgm_device_next_poll`); `None` when nothing is in flight.
    pub fn next_poll(&mut self) -> Result<Option<u64>> {
        let mut deadline = 0;
        let ret = unsafe { sys::vgm_device_next_poll(self.raw.as_ptr(), &mut deadline) };
        self.finish_or_none(ret, deadline)
    }

    /// `Ok(None)` where the library says `-ENOENT`.
    fn finish_or_none<T>(&mut self, ret: c_int, value: T) -> Result<Option<T>> {
        if ret == -ENOENT {
            return self.finish(0).map(|_| None);
        }
        self.finish(ret).map(|_| Some(value))
    }
}

/// Saving and restoring (a device made with `sys::VGM_DEVICE_SAVEABLE`).
impl<H: Host> Device<H> {
    /// Why [`Device::save`] would fail now (`vgm_device_can_save`): the
    /// `sys::vgm_save_blocker_*` bits, 0 when it would succeed.
    pub fn can_save(&mut self) -> Result<u32> {
        let mut why = 0;
        let ret = unsafe { sys::vgm_device_can_save(self.raw.as_ptr(), &mut why) };
        if ret == -EBUSY && why != 0 {
            return self.finish(0).map(|_| why);
        }
        self.finish(ret).map(|_| why)
    }

    /// The bytes the next [`Device::save`] writes (`vgm_device_save_size`).
    pub fn save_size(&mut self) -> Result<usize> {
        let mut size = 0;
        let ret = unsafe { sys::vgm_device_save_size(self.raw.as_ptr(), &mut size) };
        self.finish(ret).map(|_| size as usize)
    }

    /// The device's state (`vgm_device_save`); `Errno(EBUSY)` when
    /// [`Device::can_save`] says why not. No callback is made.
    pub fn save(&mut self) -> Result<Vec<u8>> {
        let mut state = vec![0u8; self.save_size()?];
        let mut written = 0;
        let ret = unsafe {
            sys::vgm_device_save(
                self.raw.as_ptr(),
                state.as_mut_ptr() as *mut c_void,
                state.len() as _,
                &mut written,
            )
        };
        state.truncate(written as usize);
        self.finish(ret).map(|_| state)
    }

    /// Loads a saved state into this device, fresh and made with the same
    /// dialect and scanouts (`vgm_device_load`): checked as hostile bytes,
    /// all or nothing. Requests are refused (`Errno(EBUSY)`) until
    /// [`Device::resume`].
    pub fn load(&mut self, state: &[u8]) -> Result<()> {
        let ret = unsafe {
            sys::vgm_device_load(
                self.raw.as_ptr(),
                state.as_ptr() as *const c_void,
                state.len() as _,
            )
        };
        self.finish(ret).map(|_| ())
    }

    /// Once guest memory is mapped: translates the loaded state's guest
    /// ranges anew and replays the display callbacks (`vgm_device_resume`);
    /// the number of backings that could not be mapped again.
    pub fn resume(&mut self) -> Result<u32> {
        let ret = unsafe { sys::vgm_device_resume(self.raw.as_ptr()) };
        self.finish(ret)
    }

    /// The guest range `[gpa, gpa + len)` moved: the device's mappings in
    /// it are released and translated again (`vgm_device_unmap_guest`);
    /// the number of backings lost.
    pub fn unmap_guest(&mut self, gpa: u64, len: u64) -> Result<u32> {
        let ret = unsafe { sys::vgm_device_unmap_guest(self.raw.as_ptr(), gpa, len) };
        self.finish(ret)
    }
}

impl<H: Host> fmt::Debug for Device<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device").field("raw", &self.raw).field("owner", &self.owner).finish_non_exhaustive()
    }
}

impl<H: Host> Drop for Device<H> {
    fn drop(&mut self) {
        if !self.destroyable_here() {
            // vgm_device_destroy() would return and do nothing (a virgl
            // device on another thread): the device lives on, pointing into
            // shared (the host, its mappings, the response buffers in
            // flight). Leaked with it, never freed under it.
            return;
        }
        // SAFETY: the device is ours; release() may still call the host.
        // Requests in flight get their ERR_UNSPEC written into buffers
        // that in_flight still holds, and no request_done.
        unsafe { sys::vgm_device_destroy(self.raw.as_ptr()) };
        // A panic in release() while dropping has nowhere to go.
        drop(unsafe { Box::from_raw(self.shared.as_ptr()) });
    }
}

fn panic_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}
