# trainer.cmake: `strata train`, `export`, `characterize`, `publish` and `sweep` (included by
# native_trainer/CMakeLists.txt when STRATA_BUILD_TRAINER is ON).
#
#   strata_trainer_base   torch-free: IDX reader, image sources, kinds, network table, configs,
#                         progress bar, the train flags
#   strata_onnx_export    torch-free: NetworkSpec -> checked ONNX files (Debian's libonnx)
#   strata_torch          LibTorch: the module, the training loop, the ONNX graph runner; the only
#                         translation units that include <torch/torch.h> (slow to compile)
#   strata_characterize   torch-free: the study (noise, encoding via the runner, analysis, JSON)
#   strata-torch          the program with the five subcommands that need LibTorch, in the folder of
#                         `strata`, which execs it for them (strata itself links no LibTorch)
# GLOBAL: the imported targets are also used by tests/trainer (another directory scope).
find_package(Torch REQUIRED GLOBAL)
find_package(ONNX REQUIRED GLOBAL)
find_package(ZLIB REQUIRED GLOBAL)
find_package(nlohmann_json 3 REQUIRED GLOBAL)

set(_tdir ${CMAKE_CURRENT_LIST_DIR})

add_library(strata_trainer_base STATIC
  ${_tdir}/idx.cpp ${_tdir}/image_source.cpp ${_tdir}/kinds.cpp ${_tdir}/network.cpp ${_tdir}/config.cpp
  ${_tdir}/progress.cpp ${_tdir}/train_flags.cpp)

target_include_directories(strata_trainer_base PUBLIC ${_tdir})
target_link_libraries(strata_trainer_base PUBLIC strata_cli ZLIB::ZLIB nlohmann_json::nlohmann_json)

add_library(strata_onnx_export STATIC ${_tdir}/onnx_export.cpp)
target_link_libraries(strata_onnx_export PUBLIC strata_trainer_base onnx onnx_proto)

add_library(strata_torch STATIC ${_tdir}/model.cpp ${_tdir}/train.cpp ${_tdir}/onnx_runner.cpp)
target_link_libraries(strata_torch PUBLIC strata_trainer_base onnx onnx_proto ${TORCH_LIBRARIES})

add_library(strata_characterize STATIC ${_tdir}/characterize.cpp)
target_link_libraries(strata_characterize PUBLIC strata_trainer_base strata_torch)

add_executable(strata-torch ${_tdir}/torch_main.cpp ${_tdir}/train_cmd.cpp
                            ${_tdir}/export_cmd.cpp ${_tdir}/characterize_cmd.cpp ${_tdir}/publish_cmd.cpp
                            ${_tdir}/sweep_cmd.cpp)
target_compile_definitions(strata-torch PRIVATE STRATA_HAVE_TRAINER)
target_link_libraries(strata-torch PRIVATE strata_characterize strata_torch strata_onnx_export)

# `strata` lists the four commands and execs strata-torch for them: building one builds both.
target_compile_definitions(strata PRIVATE STRATA_HAVE_TRAINER)
add_dependencies(strata strata-torch)
