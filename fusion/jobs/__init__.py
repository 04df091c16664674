"""Jobs built on the library: the fused-dataset job (KAIST, LLVIP, MSRS) and the README demo."""
