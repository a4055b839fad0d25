#include <stdio.h>

static unsigned table[256];

static unsigned crc(const unsigned char *p, int n) {
	unsigned c = 0xffffffffu;
	for (int i = 0; i < n; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

int main(void) {
	for (unsigned i = 0; i < 256; i++) {
		unsigned c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	unsigned char buf[1000];
	for (int i = 0; i < 1000; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	printf("%08x\n", crc(buf, 1000));
	return 0;
}
