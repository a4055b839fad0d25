#include <stdio.h>

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
	long sum = 0;
	for (int i = 0; i < 25; i++)
		sum += fib(i) * (i % 3 + 1);
	printf("%ld\n", sum);
	return 0;
}
