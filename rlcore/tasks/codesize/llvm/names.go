package llvm

// InstCountNames names the InstCount features, as CompilerGym does.
var InstCountNames = [InstCountDim]string{
	"TotalInsts", "TotalBlocks", "TotalFuncs",
	"Ret", "Br", "Switch", "IndirectBr", "Invoke", "Resume", "Unreachable",
	"CleanupRet", "CatchRet", "CatchSwitch", "CallBr", "FNeg",
	"Add", "FAdd", "Sub", "FSub", "Mul", "FMul", "UDiv", "SDiv", "FDiv",
	"URem", "SRem", "FRem", "Shl", "LShr", "AShr", "And", "Or", "Xor",
	"Alloca", "Load", "Store", "GetElementPtr", "Fence", "AtomicCmpXchg", "AtomicRMW",
	"Trunc", "ZExt", "SExt", "FPToUI", "FPToSI", "UIToFP", "SIToFP", "FPTrunc",
	"FPExt", "PtrToInt", "IntToPtr", "BitCast", "AddrSpaceCast", "CleanupPad",
	"CatchPad", "ICmp", "FCmp", "PHI", "Call", "Select", "UserOp1", "UserOp2",
	"VAArg", "ExtractElement", "InsertElement", "ShuffleVector", "ExtractValue",
	"InsertValue", "LandingPad", "Freeze",
}

// AutophaseNames names the Autophase features in CompilerGym's order.
var AutophaseNames = [AutophaseDim]string{
	"BBNumArgsHi", "BBNumArgsLo", "onePred", "onePredOneSuc", "onePredTwoSuc",
	"oneSuccessor", "twoPred", "twoPredOneSuc", "twoEach", "twoSuccessor",
	"morePreds", "BB03Phi", "BBHiPhi", "BBNoPhi", "BeginPhi", "BranchCount",
	"returnInt", "CriticalCount", "NumEdges", "const32Bit", "const64Bit",
	"numConstZeroes", "numConstOnes", "UncondBranches", "binaryConstArg",
	"NumAShrInst", "NumAddInst", "NumAllocaInst", "NumAndInst", "BlockMid",
	"BlockLow", "NumBitCastInst", "NumBrInst", "NumCallInst",
	"NumGetElementPtrInst", "NumICmpInst", "NumLShrInst", "NumLoadInst",
	"NumMulInst", "NumOrInst", "NumPHIInst", "NumRetInst", "NumSExtInst",
	"NumSelectInst", "NumShlInst", "NumStoreInst", "NumSubInst", "NumTruncInst",
	"NumXorInst", "NumZExtInst", "TotalBlocks", "TotalInsts", "TotalMemInst",
	"TotalFuncs", "ArgsPhi", "testUnary",
}
