// Feature extractors over the LLVM-C API, one cgo call per module.
#ifndef SUPERSONIC_CODESIZE_FEATURES_H
#define SUPERSONIC_CODESIZE_FEATURES_H

#include <stdint.h>
#include <llvm-c/Core.h>

// Number of InstCount features: TotalInsts, TotalBlocks, TotalFuncs and one
// count per opcode of llvm/IR/Instruction.def (Ret … Freeze).
#define SS_INSTCOUNT_DIM 70
#define SS_AUTOPHASE_DIM 56

// ss_opcode_index maps an LLVMOpcode to its position in Instruction.def
// (0 = Ret … 66 = Freeze), -1 when unknown.
static int ss_opcode_index(LLVMOpcode op) {
	switch (op) {
	case LLVMRet: return 0; case LLVMBr: return 1; case LLVMSwitch: return 2;
	case LLVMIndirectBr: return 3; case LLVMInvoke: return 4; case LLVMResume: return 5;
	case LLVMUnreachable: return 6; case LLVMCleanupRet: return 7; case LLVMCatchRet: return 8;
	case LLVMCatchSwitch: return 9; case LLVMCallBr: return 10; case LLVMFNeg: return 11;
	case LLVMAdd: return 12; case LLVMFAdd: return 13; case LLVMSub: return 14;
	case LLVMFSub: return 15; case LLVMMul: return 16; case LLVMFMul: return 17;
	case LLVMUDiv: return 18; case LLVMSDiv: return 19; case LLVMFDiv: return 20;
	case LLVMURem: return 21; case LLVMSRem: return 22; case LLVMFRem: return 23;
	case LLVMShl: return 24; case LLVMLShr: return 25; case LLVMAShr: return 26;
	case LLVMAnd: return 27; case LLVMOr: return 28; case LLVMXor: return 29;
	case LLVMAlloca: return 30; case LLVMLoad: return 31; case LLVMStore: return 32;
	case LLVMGetElementPtr: return 33; case LLVMFence: return 34; case LLVMAtomicCmpXchg: return 35;
	case LLVMAtomicRMW: return 36; case LLVMTrunc: return 37; case LLVMZExt: return 38;
	case LLVMSExt: return 39; case LLVMFPToUI: return 40; case LLVMFPToSI: return 41;
	case LLVMUIToFP: return 42; case LLVMSIToFP: return 43; case LLVMFPTrunc: return 44;
	case LLVMFPExt: return 45; case LLVMPtrToInt: return 46; case LLVMIntToPtr: return 47;
	case LLVMBitCast: return 48; case LLVMAddrSpaceCast: return 49; case LLVMCleanupPad: return 50;
	case LLVMCatchPad: return 51; case LLVMICmp: return 52; case LLVMFCmp: return 53;
	case LLVMPHI: return 54; case LLVMCall: return 55; case LLVMSelect: return 56;
	case LLVMUserOp1: return 57; case LLVMUserOp2: return 58; case LLVMVAArg: return 59;
	case LLVMExtractElement: return 60; case LLVMInsertElement: return 61;
	case LLVMShuffleVector: return 62; case LLVMExtractValue: return 63;
	case LLVMInsertValue: return 64; case LLVMLandingPad: return 65; case LLVMFreeze: return 66;
	}
	return -1;
}

// ss_instruction_count is the number of instructions in the module.
static int64_t ss_instruction_count(LLVMModuleRef m) {
	int64_t n = 0;
	for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
		for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b))
			for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i))
				n++;
	return n;
}

// ss_instcount fills out[SS_INSTCOUNT_DIM] as CompilerGym's InstCount does:
// every function of the module counts, declarations included.
static void ss_instcount(LLVMModuleRef m, int64_t *out) {
	for (int k = 0; k < SS_INSTCOUNT_DIM; k++) out[k] = 0;
	for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
		out[2]++;
		for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b)) {
			out[1]++;
			for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
				out[0]++;
				int k = ss_opcode_index(LLVMGetInstructionOpcode(i));
				if (k >= 0) out[3 + k]++;
			}
		}
	}
}

// ss_num_preds counts the predecessors of b as llvm::pred_iterator does:
// terminators that use the block, once per use.
static unsigned ss_num_preds(LLVMBasicBlockRef b) {
	unsigned n = 0;
	for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(b)); u; u = LLVMGetNextUse(u)) {
		LLVMValueRef user = LLVMGetUser(u);
		if (LLVMIsAInstruction(user) && LLVMIsATerminatorInst(user)) n++;
	}
	return n;
}

static int ss_is_binary(LLVMOpcode op) { return op >= LLVMAdd && op <= LLVMXor; }

// UnaryInstruction subclasses: UnaryOperator, casts, alloca, load, va_arg,
// extractvalue, freeze.
static int ss_is_unary(LLVMOpcode op) {
	if (op >= LLVMTrunc && op <= LLVMBitCast) return 1;
	switch (op) {
	case LLVMFNeg: case LLVMAddrSpaceCast: case LLVMAlloca: case LLVMLoad:
	case LLVMVAArg: case LLVMExtractValue: case LLVMFreeze: return 1;
	default: return 0;
	}
}

// Autophase feature indices, in CompilerGym's order.
enum {
	AP_BBNumArgsHi, AP_BBNumArgsLo, AP_onePred, AP_onePredOneSuc, AP_onePredTwoSuc,
	AP_oneSuccessor, AP_twoPred, AP_twoPredOneSuc, AP_twoEach, AP_twoSuccessor,
	AP_morePreds, AP_BB03Phi, AP_BBHiPhi, AP_BBNoPhi, AP_BeginPhi, AP_BranchCount,
	AP_returnInt, AP_CriticalCount, AP_NumEdges, AP_const32Bit, AP_const64Bit,
	AP_numConstZeroes, AP_numConstOnes, AP_UncondBranches, AP_binaryConstArg,
	AP_NumAShrInst, AP_NumAddInst, AP_NumAllocaInst, AP_NumAndInst, AP_BlockMid,
	AP_BlockLow, AP_NumBitCastInst, AP_NumBrInst, AP_NumCallInst,
	AP_NumGetElementPtrInst, AP_NumICmpInst, AP_NumLShrInst, AP_NumLoadInst,
	AP_NumMulInst, AP_NumOrInst, AP_NumPHIInst, AP_NumRetInst, AP_NumSExtInst,
	AP_NumSelectInst, AP_NumShlInst, AP_NumStoreInst, AP_NumSubInst, AP_NumTruncInst,
	AP_NumXorInst, AP_NumZExtInst, AP_TotalBlocks, AP_TotalInsts, AP_TotalMemInst,
	AP_TotalFuncs, AP_ArgsPhi, AP_testUnary
};

static void ss_count_opcode(LLVMOpcode op, int64_t *o) {
	switch (op) {
	case LLVMAShr: o[AP_NumAShrInst]++; break;
	case LLVMAdd: o[AP_NumAddInst]++; break;
	case LLVMAlloca: o[AP_NumAllocaInst]++; o[AP_TotalMemInst]++; break;
	case LLVMAnd: o[AP_NumAndInst]++; break;
	case LLVMBitCast: o[AP_NumBitCastInst]++; break;
	case LLVMBr: o[AP_NumBrInst]++; break;
	case LLVMCall: o[AP_NumCallInst]++; o[AP_TotalMemInst]++; break;
	case LLVMInvoke: o[AP_TotalMemInst]++; break;
	case LLVMGetElementPtr: o[AP_NumGetElementPtrInst]++; o[AP_TotalMemInst]++; break;
	case LLVMICmp: o[AP_NumICmpInst]++; break;
	case LLVMLShr: o[AP_NumLShrInst]++; break;
	case LLVMLoad: o[AP_NumLoadInst]++; o[AP_TotalMemInst]++; break;
	case LLVMMul: o[AP_NumMulInst]++; break;
	case LLVMOr: o[AP_NumOrInst]++; break;
	case LLVMPHI: o[AP_NumPHIInst]++; break;
	case LLVMRet: o[AP_NumRetInst]++; break;
	case LLVMSExt: o[AP_NumSExtInst]++; break;
	case LLVMSelect: o[AP_NumSelectInst]++; break;
	case LLVMShl: o[AP_NumShlInst]++; break;
	case LLVMStore: o[AP_NumStoreInst]++; o[AP_TotalMemInst]++; break;
	case LLVMSub: o[AP_NumSubInst]++; break;
	case LLVMTrunc: o[AP_NumTruncInst]++; break;
	case LLVMXor: o[AP_NumXorInst]++; break;
	case LLVMZExt: o[AP_NumZExtInst]++; break;
	default: break;
	}
}

// ss_autophase fills out[SS_AUTOPHASE_DIM] with the Autophase features
// (Huang et al., FCCM 2019) as CompilerGym's autophase::InstCount computes
// them: every function of the module counts (declarations included), and
// predecessors and critical edges follow llvm::pred_iterator and
// llvm::isCriticalEdge.
static void ss_autophase(LLVMModuleRef m, int64_t *o) {
	for (int k = 0; k < SS_AUTOPHASE_DIM; k++) o[k] = 0;
	for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
		o[AP_TotalFuncs]++;
		for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b)) {
			o[AP_TotalBlocks]++;
			LLVMValueRef term = LLVMGetBasicBlockTerminator(b);
			unsigned nsucc = term ? LLVMGetNumSuccessors(term) : 0;
			for (unsigned s = 0; s < nsucc; s++) {
				o[AP_NumEdges]++;
				if (nsucc > 1 && ss_num_preds(LLVMGetSuccessor(term, s)) > 1) o[AP_CriticalCount]++;
			}
			unsigned npred = ss_num_preds(b);
			if (nsucc == 1) o[AP_oneSuccessor]++;
			else if (nsucc == 2) o[AP_twoSuccessor]++;
			if (npred == 1) o[AP_onePred]++;
			else if (npred == 2) o[AP_twoPred]++;
			else if (npred > 2) o[AP_morePreds]++;
			if (npred == 1 && nsucc == 1) o[AP_onePredOneSuc]++;
			else if (npred == 2 && nsucc == 1) o[AP_twoPredOneSuc]++;
			else if (npred == 1 && nsucc == 2) o[AP_onePredTwoSuc]++;
			else if (npred == 2 && nsucc == 2) o[AP_twoEach]++;

			int first = 1;
			int64_t ninst = 0, nphi = 0, phiArgs = 0;
			for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
				LLVMOpcode op = LLVMGetInstructionOpcode(i);
				o[AP_TotalInsts]++;
				ss_count_opcode(op, o);
				if (op == LLVMBr) {
					o[AP_BranchCount]++;
					if (!LLVMIsConditional(i)) o[AP_UncondBranches]++;
				}
				int nops = LLVMGetNumOperands(i);
				for (int k = 0; k < nops; k++) {
					LLVMValueRef v = LLVMGetOperand(i, k);
					if (!v || !LLVMIsAConstantInt(v)) continue;
					unsigned width = LLVMGetIntTypeWidth(LLVMTypeOf(v));
					if (width == 32) o[AP_const32Bit]++;
					else if (width == 64) o[AP_const64Bit]++;
					if (width <= 64) {
						unsigned long long val = LLVMConstIntGetZExtValue(v);
						if (val == 1) o[AP_numConstOnes]++;
						else if (val == 0) o[AP_numConstZeroes]++;
					}
				}
				if (op == LLVMCall) {
					LLVMValueRef callee = LLVMGetCalledValue(i);
					if (callee && LLVMIsAFunction(callee)) {
						LLVMTypeRef rt = LLVMGetReturnType(LLVMGlobalGetValueType(callee));
						if (LLVMGetTypeKind(rt) == LLVMIntegerTypeKind) o[AP_returnInt]++;
					}
				}
				if (ss_is_unary(op)) o[AP_testUnary]++;
				if (ss_is_binary(op) && (LLVMIsAConstant(LLVMGetOperand(i, 0)) || LLVMIsAConstant(LLVMGetOperand(i, 1))))
					o[AP_binaryConstArg]++;
				if (op == LLVMPHI) {
					if (first) o[AP_BeginPhi]++;
					nphi++;
					unsigned inc = LLVMCountIncoming(i);
					o[AP_ArgsPhi] += inc;
					phiArgs += inc;
				}
				first = 0;
				ninst++;
			}
			if (nphi == 0) o[AP_BBNoPhi]++;
			else if (nphi <= 3) o[AP_BB03Phi]++;
			else o[AP_BBHiPhi]++;
			if (phiArgs > 5) o[AP_BBNumArgsHi]++;
			else if (phiArgs >= 1) o[AP_BBNumArgsLo]++;
			if (ninst < 15) o[AP_BlockLow]++;
			else if (ninst <= 500) o[AP_BlockMid]++;
		}
	}
}

#endif
