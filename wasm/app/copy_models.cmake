# copy_models.cmake: cmake -DSRC=models -DDST=site/models -P copy_models.cmake
# Copies what the page loads from models/: manifest.json, sample/ and each model folder's .onnx
# and .json files (not the example latents or the scripts). DST is emptied first, so a model
# removed from models/ disappears from the site too.
file(REMOVE_RECURSE ${DST})
file(MAKE_DIRECTORY ${DST})
file(COPY ${SRC}/manifest.json DESTINATION ${DST})
if(EXISTS ${SRC}/sample)
  file(COPY ${SRC}/sample DESTINATION ${DST})
endif()
file(GLOB model_files RELATIVE ${SRC} ${SRC}/*/*.onnx ${SRC}/*/*.json)
foreach(f IN LISTS model_files)
  get_filename_component(d ${f} DIRECTORY)
  file(COPY ${SRC}/${f} DESTINATION ${DST}/${d})
endforeach()
