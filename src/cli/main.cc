#include <cstdio>
int main() { std::puts("braid 0.1.0"); return 0; }
