// Independent reference for the feature extractors, written against LLVM's
// C++ API (InstVisitor, pred_size, isCriticalEdge, isa<>) instead of the C
// API: prints the 56 Autophase features, then the 70 InstCount features, one
// line each, for the module in argv[1]. Used by TestFeaturesMatchCxxReference.
#include <cstdio>
#include <vector>

#include "llvm/Analysis/CFG.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/InstVisitor.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/SourceMgr.h"

using namespace llvm;

namespace {

struct Counts : public InstVisitor<Counts> {
  long TotalInsts = 0, TotalBlocks = 0, TotalFuncs = 0;
  long Op[80] = {0};
  void visitFunction(Function &) { ++TotalFuncs; }
  void visitBasicBlock(BasicBlock &) { ++TotalBlocks; }
#define HANDLE_INST(N, OPCODE, CLASS) \
  void visit##OPCODE(CLASS &) { ++Op[N]; ++TotalInsts; }
#include "llvm/IR/Instruction.def"
};

std::vector<long> autophase(Module &M) {
  long BBNumArgsHi = 0, BBNumArgsLo = 0, onePred = 0, onePredOneSuc = 0, onePredTwoSuc = 0,
       oneSuccessor = 0, twoPred = 0, twoPredOneSuc = 0, twoEach = 0, twoSuccessor = 0,
       morePreds = 0, BB03Phi = 0, BBHiPhi = 0, BBNoPhi = 0, BeginPhi = 0, BranchCount = 0,
       returnInt = 0, CriticalCount = 0, NumEdges = 0, const32Bit = 0, const64Bit = 0,
       numConstZeroes = 0, numConstOnes = 0, UncondBranches = 0, binaryConstArg = 0,
       BlockMid = 0, BlockLow = 0, TotalMemInst = 0, ArgsPhi = 0, testUnary = 0;
  Counts C;
  C.visit(M);
  for (Function &F : M) {
    for (BasicBlock &BB : F) {
      Instruction *T = BB.getTerminator();
      unsigned S = T ? T->getNumSuccessors() : 0;
      for (unsigned i = 0; i < S; i++) {
        NumEdges++;
        if (isCriticalEdge(T, i)) CriticalCount++;
      }
      unsigned P = pred_size(&BB);
      if (S == 1) oneSuccessor++; else if (S == 2) twoSuccessor++;
      if (P == 1) onePred++; else if (P == 2) twoPred++; else if (P > 2) morePreds++;
      if (P == 1 && S == 1) onePredOneSuc++;
      else if (P == 2 && S == 1) twoPredOneSuc++;
      else if (P == 1 && S == 2) onePredTwoSuc++;
      else if (P == 2 && S == 2) twoEach++;
      long n = 0, phis = 0, args = 0;
      bool first = true;
      for (Instruction &I : BB) {
        if (auto *B = dyn_cast<BranchInst>(&I)) {
          BranchCount++;
          if (B->isUnconditional()) UncondBranches++;
        }
        for (Value *V : I.operands()) {
          if (auto *CI = dyn_cast<ConstantInt>(V)) {
            const APInt &A = CI->getValue();
            if (A.getBitWidth() == 32) const32Bit++;
            else if (A.getBitWidth() == 64) const64Bit++;
            if (A == 1) numConstOnes++;
            else if (A == 0) numConstZeroes++;
          }
        }
        if (auto *Call = dyn_cast<CallInst>(&I))
          if (Function *Fn = Call->getCalledFunction())
            if (Fn->getReturnType()->isIntegerTy()) returnInt++;
        if (isa<UnaryInstruction>(I)) testUnary++;
        if (isa<BinaryOperator>(I) && (isa<Constant>(I.getOperand(0)) || isa<Constant>(I.getOperand(1))))
          binaryConstArg++;
        if (auto *Phi = dyn_cast<PHINode>(&I)) {
          if (first) BeginPhi++;
          phis++;
          args += Phi->getNumIncomingValues();
          ArgsPhi += Phi->getNumIncomingValues();
        }
        if (isa<GetElementPtrInst>(I) || isa<LoadInst>(I) || isa<StoreInst>(I) || isa<CallInst>(I) ||
            isa<InvokeInst>(I) || isa<AllocaInst>(I))
          TotalMemInst++;
        first = false;
        n++;
      }
      if (phis == 0) BBNoPhi++; else if (phis <= 3) BB03Phi++; else BBHiPhi++;
      if (args > 5) BBNumArgsHi++; else if (args >= 1) BBNumArgsLo++;
      if (n < 15) BlockLow++; else if (n <= 500) BlockMid++;
    }
  }
  auto op = [&](unsigned opcode) { return C.Op[opcode]; };
  return {BBNumArgsHi, BBNumArgsLo, onePred, onePredOneSuc, onePredTwoSuc, oneSuccessor, twoPred,
          twoPredOneSuc, twoEach, twoSuccessor, morePreds, BB03Phi, BBHiPhi, BBNoPhi, BeginPhi,
          BranchCount, returnInt, CriticalCount, NumEdges, const32Bit, const64Bit, numConstZeroes,
          numConstOnes, UncondBranches, binaryConstArg, op(Instruction::AShr), op(Instruction::Add),
          op(Instruction::Alloca), op(Instruction::And), BlockMid, BlockLow,
          op(Instruction::BitCast), op(Instruction::Br), op(Instruction::Call),
          op(Instruction::GetElementPtr), op(Instruction::ICmp), op(Instruction::LShr),
          op(Instruction::Load), op(Instruction::Mul), op(Instruction::Or), op(Instruction::PHI),
          op(Instruction::Ret), op(Instruction::SExt), op(Instruction::Select), op(Instruction::Shl),
          op(Instruction::Store), op(Instruction::Sub), op(Instruction::Trunc), op(Instruction::Xor),
          op(Instruction::ZExt), C.TotalBlocks, C.TotalInsts, TotalMemInst, C.TotalFuncs, ArgsPhi,
          testUnary};
}

std::vector<long> instcount(Module &M) {
  Counts C;
  C.visit(M);
  std::vector<long> out = {C.TotalInsts, C.TotalBlocks, C.TotalFuncs};
#define HANDLE_INST(N, OPCODE, CLASS) out.push_back(C.Op[N]);
#include "llvm/IR/Instruction.def"
  return out;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: features_ref MODULE\n");
    return 2;
  }
  LLVMContext Ctx;
  SMDiagnostic Err;
  std::unique_ptr<Module> M = parseIRFile(argv[1], Err, Ctx);
  if (!M) {
    fprintf(stderr, "cannot parse %s\n", argv[1]);
    return 1;
  }
  for (auto &v : {autophase(*M), instcount(*M)}) {
    for (size_t i = 0; i < v.size(); i++) printf(i ? " %ld" : "%ld", v[i]);
    printf("\n");
  }
  return 0;
}
