#include <stdio.h>

static add(a, b)
	int a, b;
{
	return a + b;
}

int main(void) {
	printf("%d\n", add(40, 2));
	return 0;
}
