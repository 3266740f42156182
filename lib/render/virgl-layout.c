/* SPDX-License-Identifier: MIT */
/*
 * Memory layouts: of virgl's formats (virglrenderer's enum virgl_formats,
 * gallium's numbering: bytes per block, block size in pixels), and of a
 * transfer, the bytes of a backing it can touch. The adapter computes them
 * itself, without asking virglrenderer (whose own checks these double).
 *
 * The table is written from the format names; tests/test-virgl.c checks
 * every entry the local virglrenderer can create against the smallest
 * backing virglrenderer itself accepts for a transfer (on Mesa 22.3's
 * llvmpipe: the uncompressed formats, S3TC, RGTC and BPTC; not ETC, ASTC,
 * LATC or the 2x1 subsampled ones, which it does not create).
 *
 * Numbers that were given two names in virgl_hw.h (262..266) take the larger
 * size, so the extent computed is never too small. Planar YUV formats (NV12,
 * YV12, P010, ...) have no single block layout and are left out: transfers
 * of them are refused.
 */
#include <errno.h>

#include "virgl.h"

#define VGL_FORMAT_COUNT 322

/* One pixel per block. */
#define PX(n) { (n), 1, 1 }
/* Blocks of w x h pixels. */
#define BLK(n, w, h) { (n), (w), (h) }
/* Four entries in a row (R, RG, RGB, RGBA of one channel size). */
#define RGBA4(at, c) [at] = PX(c), [(at) + 1] = PX(2 * (c)), [(at) + 2] = PX(3 * (c)), \
		     [(at) + 3] = PX(4 * (c))

static const struct vgl_layout layouts[VGL_FORMAT_COUNT] = {
	[1] = PX(4), [2] = PX(4), [3] = PX(4), [4] = PX(4),	/* B8G8R8A8 .. X8R8G8B8 */
	[5] = PX(2), [6] = PX(2), [7] = PX(2),			/* B5G5R5A1 B4G4R4A4 B5G6R5 */
	[8] = PX(4),						/* R10G10B10A2 */
	[9] = PX(1), [10] = PX(1), [11] = PX(1), [12] = PX(2), /* L8 A8 I8 L8A8 */
	[13] = PX(2),						/* L16 */
	[14] = BLK(4, 2, 1), [15] = BLK(4, 2, 1),		/* UYVY YUYV */
	[16] = PX(2), [17] = PX(4), [18] = PX(4),		/* Z16 Z32 Z32F */
	[19] = PX(4), [20] = PX(4), [21] = PX(4), [22] = PX(4), /* Z24S8 S8Z24 Z24X8 X8Z24 */
	[23] = PX(1),						/* S8 */
	RGBA4(24, 8),						/* R64 .. R64G64B64A64 float */
	RGBA4(28, 4), RGBA4(32, 4), RGBA4(36, 4), RGBA4(40, 4), RGBA4(44, 4), /* 32-bit */
	RGBA4(48, 2), RGBA4(52, 2), RGBA4(56, 2), RGBA4(60, 2), /* 16-bit */
	RGBA4(64, 1),						/* R8 .. R8G8B8A8 unorm */
	[68] = PX(4),						/* X8B8G8R8 */
	RGBA4(69, 1),						/* 8-bit uscaled */
	RGBA4(74, 1),						/* 8-bit snorm */
	RGBA4(82, 1),						/* 8-bit sscaled */
	RGBA4(87, 4),						/* 32-bit fixed */
	RGBA4(91, 2),						/* 16-bit float */
	[95] = PX(1), [96] = PX(2), [97] = PX(3),		/* L8 L8A8 R8G8B8 srgb */
	[98] = PX(4), [99] = PX(4), [100] = PX(4), [101] = PX(4), [102] = PX(4), [103] = PX(4),
	[104] = PX(4),						/* 8888 srgb */
	[105] = BLK(8, 4, 4), [106] = BLK(8, 4, 4),		/* DXT1 */
	[107] = BLK(16, 4, 4), [108] = BLK(16, 4, 4),		/* DXT3 DXT5 */
	[109] = BLK(8, 4, 4), [110] = BLK(8, 4, 4),		/* DXT1 srgb */
	[111] = BLK(16, 4, 4), [112] = BLK(16, 4, 4),		/* DXT3 DXT5 srgb */
	[113] = BLK(8, 4, 4), [114] = BLK(8, 4, 4),		/* RGTC1 */
	[115] = BLK(16, 4, 4), [116] = BLK(16, 4, 4),		/* RGTC2 */
	[117] = BLK(4, 2, 1), [118] = BLK(4, 2, 1),		/* R8G8_B8G8 G8R8_G8B8 */
	[119] = PX(4), [120] = PX(2), [121] = PX(4), [122] = PX(2),
	[123] = PX(4), [124] = PX(4), [125] = PX(4),		/* R10G10B10A2_USCALED R11G11B10F R9G9B9E5 */
	[126] = PX(8),						/* Z32F_S8X24 */
	[127] = BLK(1, 8, 1),					/* R1 */
	[128] = PX(4), [129] = PX(4), [130] = PX(1), [131] = PX(4), [132] = PX(4),
	[133] = PX(2), [134] = PX(4), [135] = PX(2),		/* R8G8Bx_SNORM R8G8B8X8 B4G4R4X4 */
	[136] = PX(4), [137] = PX(4), [138] = PX(8),		/* X24S8 S8X24 X32_S8X24 */
	[139] = PX(1), [140] = PX(4), [141] = PX(2), [142] = PX(2), /* B2G3R3 L16A16 A16 I16 */
	[143] = BLK(8, 4, 4), [144] = BLK(8, 4, 4),		/* LATC1 */
	[145] = BLK(16, 4, 4), [146] = BLK(16, 4, 4),		/* LATC2 */
	[147] = PX(1), [148] = PX(1), [149] = PX(2), [150] = PX(1), /* 8-bit snorm A L LA I */
	[151] = PX(2), [152] = PX(2), [153] = PX(4), [154] = PX(2), /* 16-bit snorm A L LA I */
	[155] = PX(2), [156] = PX(2), [157] = PX(4), [158] = PX(2), /* 16-bit float A L LA I */
	[159] = PX(4), [160] = PX(4), [161] = PX(8), [162] = PX(4), /* 32-bit float A L LA I */
	/* 163..167: YV12 YV16 IYUV NV12 NV21, planar */
	[168] = PX(1), [169] = PX(1), [170] = PX(2), [171] = PX(2), /* A4R4 R4A4 R8A8 A8R8 */
	[172] = PX(4), [173] = PX(4), [174] = PX(4), [175] = PX(4), [176] = PX(4),
	RGBA4(177, 1), RGBA4(181, 1),				/* 8-bit uint, sint */
	RGBA4(185, 2), RGBA4(189, 2),				/* 16-bit uint, sint */
	RGBA4(193, 4), RGBA4(197, 4),				/* 32-bit uint, sint */
	[201] = PX(1), [202] = PX(1), [203] = PX(1), [204] = PX(2), /* 8-bit uint A I L LA */
	[205] = PX(1), [206] = PX(1), [207] = PX(1), [208] = PX(2), /* 8-bit sint A I L LA */
	[209] = PX(2), [210] = PX(2), [211] = PX(2), [212] = PX(4), /* 16-bit uint */
	[213] = PX(2), [214] = PX(2), [215] = PX(2), [216] = PX(4), /* 16-bit sint */
	[217] = PX(4), [218] = PX(4), [219] = PX(4), [220] = PX(8), /* 32-bit uint */
	[221] = PX(4), [222] = PX(4), [223] = PX(4), [224] = PX(8), /* 32-bit sint */
	[225] = PX(4),						/* B10G10R10A2_UINT */
	[226] = BLK(8, 4, 4),					/* ETC1_RGB8 */
	[227] = BLK(4, 2, 1), [228] = BLK(4, 2, 1),		/* R8G8_R8B8 G8R8_B8R8 */
	[229] = PX(4), [230] = PX(4), [231] = PX(4), [232] = PX(4), [233] = PX(4),
	[234] = PX(8), [235] = PX(8), [236] = PX(8), [237] = PX(8), [238] = PX(8), /* RGBX16 */
	[239] = PX(16), [240] = PX(16), [241] = PX(16),	/* RGBX32 */
	[242] = PX(2), [243] = PX(4), [244] = PX(4), [245] = PX(4), [246] = PX(8),
	[247] = PX(2), [248] = PX(2), [249] = PX(4), [250] = PX(4), [251] = PX(8), [252] = PX(8),
	[253] = PX(4), [254] = PX(2),				/* R10G10B10A2_UINT B5G6R5_SRGB */
	[255] = BLK(16, 4, 4), [256] = BLK(16, 4, 4),		/* BPTC */
	[257] = BLK(16, 4, 4), [258] = BLK(16, 4, 4),
	[259] = PX(2), [260] = PX(2), [261] = PX(2),		/* A8L8 */
	[262] = PX(4), [263] = PX(2), [264] = PX(4), [265] = PX(4), [266] = PX(4), /* named twice */
	[267] = PX(4), [268] = PX(4),				/* A8B8G8R8_SNORM X8B8G8R8_SNORM */
	[269] = BLK(8, 4, 4), [270] = BLK(8, 4, 4),		/* ETC2 RGB8 */
	[271] = BLK(8, 4, 4), [272] = BLK(8, 4, 4),		/* ETC2 RGB8A1 */
	[273] = BLK(16, 4, 4), [274] = BLK(16, 4, 4),		/* ETC2 RGBA8 */
	[275] = BLK(8, 4, 4), [276] = BLK(8, 4, 4),		/* ETC2 R11 */
	[277] = BLK(16, 4, 4), [278] = BLK(16, 4, 4),		/* ETC2 RG11 */
	[279] = BLK(16, 4, 4), [280] = BLK(16, 5, 4), [281] = BLK(16, 5, 5), /* ASTC */
	[282] = BLK(16, 6, 5), [283] = BLK(16, 6, 6), [284] = BLK(16, 8, 5),
	[285] = BLK(16, 8, 6), [286] = BLK(16, 8, 8), [287] = BLK(16, 10, 5),
	[288] = BLK(16, 10, 6), [289] = BLK(16, 10, 8), [290] = BLK(16, 10, 10),
	[291] = BLK(16, 12, 10), [292] = BLK(16, 12, 12),
	[293] = BLK(16, 4, 4), [294] = BLK(16, 5, 4), [295] = BLK(16, 5, 5), /* ASTC srgb */
	[296] = BLK(16, 6, 5), [297] = BLK(16, 6, 6), [298] = BLK(16, 8, 5),
	[299] = BLK(16, 8, 6), [300] = BLK(16, 8, 8), [301] = BLK(16, 10, 5),
	[302] = BLK(16, 10, 6), [303] = BLK(16, 10, 8), [304] = BLK(16, 10, 10),
	[305] = BLK(16, 12, 10), [306] = BLK(16, 12, 12),
	[308] = PX(4),						/* R10G10B10X2 */
	[311] = PX(2), [312] = PX(1), [313] = PX(2),		/* A4B4G4R4 R8_SRGB R8G8_SRGB */
	/* 314..316: P010 P012 P016, planar */
	[317] = PX(3), [318] = PX(1), [319] = PX(2), [320] = PX(2), [321] = PX(2),
};

bool vgl_format_layout(uint32_t format, struct vgl_layout *out)
{
	if (format >= VGL_FORMAT_COUNT || layouts[format].bytes == 0)
		return false;
	*out = layouts[format];
	return true;
}

static uint32_t minify(uint32_t size, uint32_t level)
{
	size = level < 32 ? size >> level : 0;
	return size ? size : 1;
}

static uint64_t blocks(uint32_t pixels, uint32_t block)
{
	return ((uint64_t)pixels + block - 1) / block;
}

/* Width, height and depth (slices of a 3D texture, else layers) of a level. */
static void level_size(const struct vgl_res_desc *d, uint32_t level, uint32_t size[3])
{
	size[0] = minify(d->width, level);
	size[1] = minify(d->height, level);
	size[2] = d->target == VGL_TARGET_3D ? minify(d->depth, level) : d->array_size;
}

/* The box lies inside the level: x + w <= width and so on (64-bit sums). */
static bool box_inside(const struct vgl_box *b, const uint32_t size[3])
{
	return (uint64_t)b->x + b->w <= size[0] && (uint64_t)b->y + b->h <= size[1] &&
	       (uint64_t)b->z + b->d <= size[2];
}

/* What one transfer looks like in memory, all in bytes. */
struct shape {
	uint64_t row;	     /* one row of blocks of the box */
	uint64_t rows;	     /* rows of blocks of the box */
	uint64_t layers;     /* layers (or slices) of the box */
	uint64_t stride;     /* between rows */
	uint64_t layer_step; /* between layers: the larger of the two virglrenderer uses */
	uint64_t buffer_end; /* a buffer: the end of the box in the buffer */
};

static int shape(const struct vgl_res_desc *d, const struct vgl_transfer *t, struct shape *s)
{
	struct vgl_layout l;
	uint32_t size[3];
	uint64_t layer_stride;

	if (!vgl_format_layout(d->format, &l))
		return -ENOTSUP;
	level_size(d, t->level, size);
	if (t->level > d->last_level || !box_inside(&t->box, size))
		return -EINVAL;
	/* Empty dimensions count as one, as virglrenderer sizes them. */
	s->row = blocks(t->box.w ? t->box.w : 1, l.bw) * l.bytes;
	s->rows = blocks(t->box.h ? t->box.h : 1, l.bh);
	s->layers = t->box.d ? t->box.d : 1;
	s->stride = t->stride ? t->stride : blocks(size[0], l.bw) * l.bytes;
	layer_stride = t->layer_stride ? t->layer_stride : blocks(size[1], l.bh) * s->stride;
	if (s->stride < s->row || layer_stride < s->rows * s->stride)
		return -EINVAL;
	/* Mesa holds the strides as int: from 2^31 on, rows and layers after
	 * the first run backwards, outside whatever was checked. */
	if ((s->rows > 1 && s->stride > INT32_MAX) || (s->layers > 1 && layer_stride > INT32_MAX))
		return -EOVERFLOW;
	/* Reading back layers, virglrenderer steps stride x level height,
	 * whatever layer_stride says; its check assumes layer_stride. */
	s->layer_step = layer_stride > s->stride * size[1] ? layer_stride : s->stride * size[1];
	/* A buffer's transfer also copies [x, x + w) elements inside the
	 * buffer's own backing, the same bytes when the backing is the target. */
	s->buffer_end = d->target == VGL_TARGET_BUFFER ? ((uint64_t)t->box.x + t->box.w) * l.bytes
						       : 0;
	/* virglrenderer maps bytes [x, x + w) of the buffer and copies w
	 * elements: a format wider than a byte would read past its end. */
	if (s->buffer_end > size[0])
		return -ERANGE;
	return 0;
}

/* The end of the box's rows and layers from t->offset; s its shape. */
static int rows_end(const struct vgl_res_desc *d, const struct vgl_transfer *t, struct shape *s,
		    uint64_t *end)
{
	uint64_t layers_part, rows_part, e;
	int ret = shape(d, t, s);

	if (ret)
		return ret;
	if (__builtin_mul_overflow(s->layers - 1, s->layer_step, &layers_part) ||
	    __builtin_mul_overflow(s->rows - 1, s->stride, &rows_part) ||
	    __builtin_add_overflow(layers_part, rows_part, &e) ||
	    __builtin_add_overflow(e, s->row, &e) || __builtin_add_overflow(e, t->offset, &e))
		return -EFAULT;
	*end = e;
	return 0;
}

int vgl_transfer_extent(const struct vgl_res_desc *d, const struct vgl_transfer *t,
			uint64_t *end)
{
	struct shape s;
	int ret = rows_end(d, t, &s, end);

	if (ret == 0 && *end < s.buffer_end)
		*end = s.buffer_end;
	return ret;
}

int vgl_copy_extent(const struct vgl_res_desc *d, const struct vgl_transfer *t, uint64_t *end)
{
	struct shape s;

	return rows_end(d, t, &s, end);
}

/* Bytes of one level: blocks across, blocks down, bytes each, slices or layers. */
static bool level_bytes(const struct vgl_res_desc *d, const struct vgl_layout *l,
			uint32_t level, uint64_t *out)
{
	uint32_t size[3];
	uint64_t layers;

	level_size(d, level, size);
	layers = size[2] ? size[2] : 1;
	if (d->target == VGL_TARGET_CUBE && layers < 6)
		layers = 6;
	return !__builtin_mul_overflow(blocks(size[0], l->bw) * blocks(size[1], l->bh), l->bytes,
				       out) &&
	       !__builtin_mul_overflow(*out, layers, out);
}

int vgl_res_footprint(const struct vgl_res_desc *d, uint64_t *bytes)
{
	struct vgl_layout l;
	uint64_t sum = 0, one;

	if (!vgl_format_layout(d->format, &l))
		return -ENOTSUP;
	if (d->last_level > 31)
		return -EINVAL;
	for (uint32_t level = 0; level <= d->last_level; level++) {
		if (!level_bytes(d, &l, level, &one) || __builtin_add_overflow(sum, one, &sum))
			return -EOVERFLOW;
	}
	if (d->nr_samples > 1 && __builtin_mul_overflow(sum, d->nr_samples, &sum))
		return -EOVERFLOW;
	*bytes = sum;
	return 0;
}
